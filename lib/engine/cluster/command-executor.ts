import { connectionStateRefusal } from './connection-state-commands.js';
import { serverBlockMs } from '../commands/blocking-timeout.js';
import { commandInfo, type CommandInfo } from '../commands/command-info.js';
import { keySlot } from '../commands/key-slot.js';
import type { NodeConnection } from '../connection/node-connection.js';
import { PoolTimeoutError } from '../pool/node-pool.js';
import type { CommandOptions } from '../connection/queued-command.js';
import { ClientClosedError, CommandTimeoutDuringMaintenanceError, CommandTimeoutError, CrossSlotError, UnsupportedCommandError } from '../errors/base.error.js';
import { ConnectionError } from '../errors/connection.error.js';
import { ReplyError } from '../errors/reply.error.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import type { ClusterNode } from './cluster-node.js';
import type { ClusterNodeInfo } from './topology.js';
import type { CallObserver } from '../observability/trace-context.js';
import { callDeadline, RetryLoop } from './retry-loop.js';
import { CancellableTimers } from '../util/cancellable-timers.js';
import type { ExecutorContext } from './executor-context.js';

/** Options of one cluster command. */
export interface ClusterCommandOptions {
  /** Decode reply strings as Buffers. @default false */
  returnBuffers?: boolean;
  /** Deadline in ms from now, across all redirects and retries. @default the `commandTimeout` of `defaults` */
  timeout?: number;
  /** Route by this key's slot instead of the command's own keys (for keyless commands tied to a slot). @internal */
  slot?: number;
  /** Send to this node, no routing, no redirects. @internal */
  node?: ClusterNode;
  /** Send to the slot's master even when `useReplicas` is on (read your own writes). @default false */
  master?: boolean;
  /**
   * Absolute deadline (epoch ms) of the user call this command is part of (the EVAL after a
   * NOSCRIPT, the command after its COMMAND GETKEYS): overrides `timeout`, which then only names
   * the call's whole timeout in CommandTimeoutError. @internal
   */
  deadline?: number;
  /** Told the node, redirects and retries of this call (tracing, metrics). @internal */
  observer?: CallObserver;
}


/**
 * Runs one command to completion: routes it by slot, follows MOVED/ASK, retries TRYAGAIN,
 * CLUSTERDOWN and unsent commands of lost connections with bounded backoff, all within the
 * command's deadline and `maxCommandRedirections`. A written write command is never re-sent.
 * @internal
 */
export class CommandExecutor {
  private replicaCursor = 0;
  /** Retries waiting for their backoff delay: cancelled (rejected) when the client closes. */
  private readonly waiting = new CancellableTimers();

  constructor(private readonly ctx: ExecutorContext) {}

  /** @internal */
  get context(): ExecutorContext {
    return this.ctx;
  }

  /** @internal Runs `retry` after `delayMs` unless the client closes first (then `cancel` is called). */
  schedule(delayMs: number, retry: () => void, cancel: (error: Error) => void): void {
    this.waiting.schedule(delayMs, retry, () => cancel(new ClientClosedError()));
  }

  /** @internal Rejects every retry waiting for its backoff with ClientClosedError and clears its timer. */
  cancelWaiting(): void {
    this.waiting.cancelAll();
  }

  execute(argv: readonly RedisArgument[], options?: ClusterCommandOptions): Promise<RespValue> {
    if (this.ctx.isClosed()) return Promise.reject(new ClientClosedError());
    const info = commandInfo(argv);
    const refused = connectionStateRefusal(info, 'sendCommand()');
    if (refused) return Promise.reject(refused);
    let slot = options?.slot;
    if (slot === undefined && info.keys.length > 0) {
      slot = keySlot(info.keys[0]!);
      for (let i = 1; i < info.keys.length; i++) {
        const other = keySlot(info.keys[i]!);
        if (other !== slot) return Promise.reject(new CrossSlotError(info.name, distinctSlots(info.keys)));
      }
    }
    if (!info.known && slot === undefined && options?.node === undefined) return this.executeUnknown(argv, info, options);
    return new Promise<RespValue>((resolve, reject) => new CommandAttempt(this, argv, info, slot, options, resolve, reject).start());
  }

  /**
   * A command missing from the command table (a module's, or newer than the table): ask a node
   * for its keys with COMMAND GETKEYS, then route by them; keyless ones go to a random master.
   * Both steps share the call's one deadline. GETKEYS errors are the call's errors, except
   * "no key arguments" (keyless: any master) and "Invalid command" (sent anyway, so that the
   * server's own "unknown command" answers it).
   */
  private async executeUnknown(argv: readonly RedisArgument[], info: CommandInfo, options: ClusterCommandOptions | undefined): Promise<RespValue> {
    const timeout = options?.timeout ?? this.ctx.defaultTimeout;
    const deadline = options?.deadline ?? callDeadline(timeout);
    const within: ClusterCommandOptions = { ...options, timeout, deadline };
    let keys: RespValue[] = [];
    try {
      keys = (await this.execute(['COMMAND', 'GETKEYS', ...argv], { timeout, deadline })) as RespValue[];
    } catch (error) {
      if (error instanceof CommandTimeoutError) {
        // Reported as the user's command (GETKEYS is an implementation detail), never sent.
        throw new CommandTimeoutError(info.name, timeout, false, error.cause instanceof Error ? { cause: error.cause } : undefined);
      }
      if (!(error instanceof ReplyError) || !/no key arguments|invalid command/i.test(error.message)) throw error;
    }
    if (!Array.isArray(keys)) keys = [];
    const slot = keys.length > 0 ? keySlot(String(keys[0])) : undefined;
    if (keys.length > 1 && keys.some((key) => keySlot(String(key)) !== slot)) {
      throw new CrossSlotError(info.name, distinctSlots(keys.map(String)));
    }
    return new Promise<RespValue>((resolve, reject) => {
      new CommandAttempt(this, argv, { ...info, known: true }, slot, within, resolve, reject).start();
    });
  }

  /** @internal The node for a slot: its master, or a replica for reads when replica reads are on. */
  pick(slot: number | undefined, readOnly: boolean, forceMaster: boolean): ClusterNode | undefined {
    const topology = this.ctx.topology.current;
    if (!topology) return undefined;
    if (slot === undefined) {
      const masters = topology.shards;
      if (masters.length === 0) return undefined;
      const shard = masters[Math.floor(Math.random() * masters.length)]!;
      return this.nodeFor(shard.master);
    }
    const shard = topology.shardOf(slot);
    if (!shard) return undefined;
    if (readOnly && !forceMaster && this.ctx.options.useReplicas && shard.replicas.length > 0) {
      for (let i = 0; i < shard.replicas.length; i++) {
        const replica = shard.replicas[(this.replicaCursor++ & 0x7fffffff) % shard.replicas.length]!;
        const node = this.nodeFor(replica);
        if (!node.connection.isReconnecting) return node;
      }
    }
    return this.nodeFor(shard.master);
  }

  /** The runtime node of a topology entry (a map lookup by its prebuilt address on the hot path). */
  private nodeFor(info: ClusterNodeInfo): ClusterNode {
    return this.ctx.registry.get(info.address) ?? this.ctx.registry.getOrCreate(info.host, info.port, info.role, info.hostname);
  }
}

function distinctSlots(keys: readonly RedisArgument[]): number[] {
  return [...new Set(keys.map((key) => keySlot(key)))];
}

/** One command's journey through redirects and retries (the shared {@link RetryLoop}). @internal */
class CommandAttempt extends RetryLoop<RespValue> {
  private readonly blockMs: number | undefined;
  /**
   * Blocking commands: getting a dedicated connection must end by this epoch ms (the call's
   * `timeout` from its issue, without the server-side block time), else the call times out unsent.
   */
  private readonly acquireBy: number;
  /** Issued with the default timeout: the first attempt can let the connection compute the same deadline. */
  private readonly defaultDeadline: boolean;

  constructor(
    executor: CommandExecutor,
    private readonly argv: readonly RedisArgument[],
    private readonly info: CommandInfo,
    slot: number | undefined,
    private readonly options: ClusterCommandOptions | undefined,
    resolve: (value: RespValue) => void,
    reject: (error: Error) => void,
  ) {
    const blockMs = info.blocking ? serverBlockMs(info.name, argv) : undefined;
    const timeoutMs = options?.timeout ?? executor.context.defaultTimeout;
    // The whole timeout: a blocking command's server-side block time plus the command timeout.
    const total = blockMs === undefined ? timeoutMs : timeoutMs > 0 ? blockMs + timeoutMs : 0;
    // No absolute deadline given: NaN fixes it on first use (the first enqueue, in this tick).
    super(executor, info.name, slot, options?.deadline ?? NaN, total, info.readOnly, options?.master ?? false, resolve, reject);
    this.blockMs = blockMs;
    this.acquireBy = blockMs === undefined ? Infinity : callDeadline(timeoutMs);
    this.defaultDeadline = blockMs === undefined && options?.timeout === undefined && options?.deadline === undefined;
    this.target = options?.node;
    this.observer = options?.observer;
  }

  protected override run(): void {
    // A node-bound command (node client, health check) never follows redirects: it always goes to its node.
    if (this.options?.node) this.target = this.options.node;
    super.run();
  }

  /** Node-bound commands (no redirects): their errors end the call, a timeout as the call's own. */
  private nodeBoundError: ((error: Error) => void) | undefined;

  protected send(node: ClusterNode, asking: boolean): void {
    const onError = this.options?.node ? (this.nodeBoundError ??= (error) => this.failNodeBound(error)) : this.fail;
    if (this.info.blocking) return this.runDedicated(node, asking, onError);
    const connection = node.connection;
    const cache = this.ctx.cache;
    if (cache && !asking && this.attempts === 1 && !this.options?.node) {
      const lookup = cache.lookup(this.argv, this.info, node.address, this.options?.returnBuffers ?? false);
      if (lookup?.hit) return this.resolve(lookup.value);
      if (lookup?.shared) {
        // Single flight: an identical read to this node is in flight; take its reply, or send this one if it
        // failed. Never past this call's own deadline (the shared read may have a longer one).
        let timedOut = false;
        const at = this.at;
        const timer =
          at === Infinity
            ? undefined
            : setTimeout(() => {
                timedOut = true;
                this.timedOut();
              }, Math.max(0, at - Date.now()));
        void lookup.shared.then((value) => {
          if (timer !== undefined) clearTimeout(timer);
          if (timedOut) return;
          if (value === undefined) connection.enqueue(this.argv, this.connectionOptions(false), this.resolve, onError);
          else this.resolve(value);
        });
        return;
      }
      if (lookup) {
        const options = this.connectionOptions(asking);
        return this.adoptDeadline(connection.enqueue(
          this.argv,
          options,
          (value) => {
            lookup.done(value);
            this.resolve(value);
          },
          (error) => {
            lookup.failed();
            onError(error);
          },
        ));
      }
    }
    this.adoptDeadline(connection.enqueue(this.argv, this.connectionOptions(asking), this.resolve, onError));
  }

  /**
   * A node-bound command follows no redirect and retries nothing: its error is the call's. A
   * timeout is reported as the call's CommandTimeoutError (its whole timeout, not what was left
   * of it when this attempt was queued); a maintenance-relaxed timeout stays as it is.
   */
  private failNodeBound(error: Error): void {
    if (error instanceof CommandTimeoutError && !(error instanceof CommandTimeoutDuringMaintenanceError)) {
      if (error.written) this.mayHaveRun = true;
      return this.timedOut(error.cause instanceof Error ? error.cause : undefined);
    }
    this.reject(error);
  }

  /** Blocking commands lease a dedicated connection so that they never stall other traffic. */
  private runDedicated(node: ClusterNode, asking: boolean, onError: (error: Error) => void): void {
    // Getting a dedicated connection (the pool may be full, the node may be reconnecting) counts
    // against the command's deadline: past it the command rejects unsent, and a connection that
    // arrives later goes straight back to the pool.
    let expired = false;
    const at = this.at;
    const by = Math.min(this.acquireBy, at);
    const expire = (): void => {
      expired = true;
      if (by < at) this.reject(new CommandTimeoutError(this.name, this.options?.timeout ?? this.ctx.defaultTimeout, this.mayHaveRun));
      else this.timedOut();
    };
    const timer = by === Infinity ? undefined : setTimeout(expire, Math.max(0, by - Date.now()));
    node.pool.acquire(by).then(
      (connection: NodeConnection) => {
        if (timer) clearTimeout(timer);
        if (expired) return node.pool.release(connection);
        connection.enqueue(
          this.argv,
          this.connectionOptions(asking),
          (value) => {
            node.pool.release(connection);
            this.resolve(value);
          },
          (error) => {
            // A timed-out blocking command still blocks the server side: never reuse that socket.
            node.pool.release(connection, error instanceof CommandTimeoutError || error instanceof ConnectionError);
            onError(error);
          },
        );
      },
      (error: Error) => {
        if (timer) clearTimeout(timer);
        if (expired) return;
        // The pool's waiter shares this deadline and may fire first: the same CommandTimeoutError, unsent.
        if (error instanceof PoolTimeoutError && error.atDeadline) return expire();
        onError(error);
      },
    );
  }

  private connectionOptions(asking: boolean): CommandOptions | undefined {
    const buffers = this.options?.returnBuffers ?? false;
    // Hot path: the first attempt, sent in the caller's own tick with the default timeout, lets the
    // connection compute the very same deadline (the call adopts it: one clock read per call).
    if (this.defaultDeadline && !buffers && !asking && this.deadlinePending) return undefined;
    const deadline = this.at;
    if (deadline === Infinity) return { timeout: 0, returnBuffers: buffers, asking };
    return { timeout: Math.max(1, deadline - Date.now()), deadline, returnBuffers: buffers, asking };
  }
}
