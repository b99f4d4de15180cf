import { serverBlockMs } from '../commands/blocking-timeout.js';
import { commandInfo, type CommandInfo } from '../commands/command-info.js';
import { keySlot } from '../commands/key-slot.js';
import type { NodeConnection } from '../connection/node-connection.js';
import type { CommandOptions } from '../connection/queued-command.js';
import { ClientClosedError, CommandTimeoutError, CrossSlotError, UnsupportedCommandError } from '../errors/base.error.js';
import { RedirectionLimitError, type RedirectStep } from '../errors/cluster.error.js';
import { ConnectionError } from '../errors/connection.error.js';
import { ClusterDownError } from '../errors/reply.error.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import type { ClusterNode } from './cluster-node.js';
import type { ClusterNodeInfo } from './topology.js';
import type { ResolvedClusterOptions } from './cluster-options.js';
import type { NodeRegistry } from './node-registry.js';
import { classifyRedirect, resolveRedirectAddress, retryDelay } from './redirect.js';
import type { TopologyManager } from './topology-manager.js';
import type { ExecutorCache } from './connection-plugin.js';

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
  /** Force the master even when replica reads are on. @internal */
  master?: boolean;
}

/** Counters of what the router has seen since the client was created. */
export interface ClusterStats {
  moved: number;
  ask: number;
  tryAgain: number;
  clusterDown: number;
  /** Commands retried after their connection was lost before (or, for reads, after) they were sent. */
  connectionRetries: number;
  /** Completed topology loads and refreshes. */
  topologyRefreshes: number;
}

/** @internal */
export interface ExecutorContext {
  readonly options: ResolvedClusterOptions;
  readonly registry: NodeRegistry;
  readonly topology: TopologyManager;
  readonly stats: ClusterStats;
  readonly defaultTimeout: number;
  isClosed(): boolean;
  /** Resolves when a topology is known (lazy connect); rejects when connecting failed. */
  whenTopology(): Promise<void>;
  /** Client-side cache, when enabled. */
  readonly cache: ExecutorCache | undefined;
}

const noop = (): void => undefined;

/**
 * Commands that change the state of the connection they run on. On a shared multiplexed
 * connection they would misalign replies or affect other callers, so they go through their own APIs.
 */
const CONNECTION_STATE_COMMANDS = new Map<string, string>([
  ['SUBSCRIBE', 'use cluster.subscribe()'],
  ['PSUBSCRIBE', 'use cluster.pSubscribe()'],
  ['SSUBSCRIBE', 'use cluster.sSubscribe()'],
  ['UNSUBSCRIBE', 'use cluster.unsubscribe()'],
  ['PUNSUBSCRIBE', 'use cluster.pUnsubscribe()'],
  ['SUNSUBSCRIBE', 'use cluster.sUnsubscribe()'],
  ['MULTI', 'use cluster.multi()'],
  ['EXEC', 'use cluster.multi()'],
  ['DISCARD', 'use cluster.multi()'],
  ['WATCH', 'use cluster.watch()'],
  ['UNWATCH', 'use cluster.watch() and session.release()'],
  ['MONITOR', 'open a dedicated NodeConnection for MONITOR'],
  ['RESET', 'it would reset a shared connection'],
  ['QUIT', 'use cluster.close()'],
  ['SELECT', 'Redis Cluster has only database 0'],
  ['CLIENT REPLY', 'it would desynchronise a shared connection'],
  ['CLIENT TRACKING', 'use the clientSideCache option'],
  ['HELLO', 'set RESP in the options'],
  ['AUTH', 'set username/password in the options'],
]);

/**
 * Runs one command to completion: routes it by slot, follows MOVED/ASK, retries TRYAGAIN,
 * CLUSTERDOWN and unsent commands of lost connections with bounded backoff, all within the
 * command's deadline and `maxCommandRedirections`. A written write command is never re-sent.
 * @internal
 */
export class CommandExecutor {
  private replicaCursor = 0;
  /** Retries waiting for their backoff delay: cancelled (rejected) when the client closes. */
  private readonly waiting = new Map<NodeJS.Timeout, (error: Error) => void>();

  constructor(private readonly ctx: ExecutorContext) {}

  /** @internal */
  get context(): ExecutorContext {
    return this.ctx;
  }

  /** @internal Runs `retry` after `delayMs` unless the client closes first (then `cancel` is called). */
  schedule(delayMs: number, retry: () => void, cancel: (error: Error) => void): void {
    const timer = setTimeout(() => {
      this.waiting.delete(timer);
      retry();
    }, delayMs);
    this.waiting.set(timer, cancel);
  }

  /** @internal Rejects every retry waiting for its backoff with ClientClosedError and clears its timer. */
  cancelWaiting(): void {
    for (const [timer, cancel] of this.waiting) {
      clearTimeout(timer);
      cancel(new ClientClosedError());
    }
    this.waiting.clear();
  }

  execute(argv: readonly RedisArgument[], options?: ClusterCommandOptions): Promise<RespValue> {
    if (this.ctx.isClosed()) return Promise.reject(new ClientClosedError());
    const info = commandInfo(argv);
    const instead = CONNECTION_STATE_COMMANDS.get(info.subcommand ? `${info.name} ${info.subcommand}` : info.name) ?? CONNECTION_STATE_COMMANDS.get(info.name);
    if (instead) return Promise.reject(new UnsupportedCommandError(`${info.name} cannot be sent with sendCommand(): ${instead}`));
    let slot = options?.slot;
    if (slot === undefined && info.keys.length > 0) {
      slot = keySlot(info.keys[0]!);
      for (let i = 1; i < info.keys.length; i++) {
        const other = keySlot(info.keys[i]!);
        if (other !== slot) return Promise.reject(new CrossSlotError(info.name, distinctSlots(info.keys)));
      }
    }
    if (!info.known && slot === undefined && options?.node === undefined) return this.executeUnknown(argv, info, options);
    return new Promise<RespValue>((resolve, reject) => {
      const attempt = new Attempt(this, this.ctx, argv, info, slot, options, resolve, reject);
      if (this.ctx.topology.current) attempt.run();
      else attempt.runWhenConnected();
    });
  }

  /**
   * A command missing from the command table (a module's, or newer than the table): ask a node
   * for its keys with COMMAND GETKEYS, then route by them; keyless ones go to a random master.
   */
  private async executeUnknown(argv: readonly RedisArgument[], info: CommandInfo, options: ClusterCommandOptions | undefined): Promise<RespValue> {
    let keys: RespValue[] = [];
    try {
      keys = (await this.execute(['COMMAND', 'GETKEYS', ...argv], { timeout: options?.timeout })) as RespValue[];
    } catch {
      keys = []; // "The command has no key arguments" / "Invalid arguments": route to any master.
    }
    const slot = keys.length > 0 ? keySlot(String(keys[0])) : undefined;
    if (keys.length > 1 && keys.some((key) => keySlot(String(key)) !== slot)) {
      throw new CrossSlotError(info.name, distinctSlots(keys.map(String)));
    }
    return new Promise<RespValue>((resolve, reject) => {
      new Attempt(this, this.ctx, argv, { ...info, known: true }, slot, options, resolve, reject).run();
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

/** One command's journey through redirects and retries. @internal */
class Attempt {
  private redirects = 0;
  private history: RedirectStep[] | undefined;
  private target: ClusterNode | undefined;
  private asking = false;
  private forceMaster: boolean;
  private readonly deadline: number;
  private readonly startedAt: number;
  private readonly timeoutMs: number;
  private readonly blockMs: number | undefined;
  private lastNode: ClusterNode | undefined;
  /** The last error that caused a retry (reported as the cause if the deadline then expires). */
  private lastRetryError: Error | undefined;

  constructor(
    private readonly executor: CommandExecutor,
    private readonly ctx: ExecutorContext,
    private readonly argv: readonly RedisArgument[],
    private readonly info: CommandInfo,
    private readonly slot: number | undefined,
    private readonly options: ClusterCommandOptions | undefined,
    private readonly resolve: (value: RespValue) => void,
    private readonly reject: (error: Error) => void,
  ) {
    this.startedAt = Date.now();
    this.timeoutMs = options?.timeout ?? ctx.defaultTimeout;
    this.blockMs = info.blocking ? serverBlockMs(info.name, argv) : undefined;
    const total = this.blockMs === undefined ? this.timeoutMs : this.blockMs + this.timeoutMs;
    this.deadline = this.timeoutMs > 0 && total !== Infinity ? Date.now() + total : Infinity;
    this.forceMaster = options?.master ?? false;
    this.target = options?.node;
  }

  /** Before the first topology (lazy connect): wait for it, but never past the command's deadline. */
  runWhenConnected(): void {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    if (this.deadline !== Infinity) {
      timer = setTimeout(() => {
        done = true;
        this.reject(new CommandTimeoutError(this.info.name, this.timeoutMs, false));
      }, Math.max(0, this.deadline - Date.now()));
    }
    this.ctx.whenTopology().then(
      () => {
        if (timer) clearTimeout(timer);
        if (!done) this.run();
      },
      (error: Error) => {
        if (timer) clearTimeout(timer);
        if (!done) this.reject(error);
      },
    );
  }

  run(): void {
    if (this.ctx.isClosed()) return this.reject(new ClientClosedError());
    const node = this.target ?? this.executor.pick(this.slot, this.info.readOnly, this.forceMaster);
    if (!node) {
      this.ctx.topology.requestRefresh();
      return this.retryLater(new ClusterDownError(`CLUSTERDOWN Hash slot ${this.slot ?? '?'} not served (client topology)`), 'CLUSTERDOWN');
    }
    this.lastNode = node;
    if (this.info.blocking) return this.runDedicated(node);
    const connection = node.connection;
    if (this.asking) connection.enqueue(['ASKING'], undefined, noop, noop);
    const cache = this.ctx.cache;
    if (cache && !this.asking && this.redirects === 0 && !this.options?.node) {
      const lookup = cache.lookup(this.argv, this.info, node.address, this.options?.returnBuffers ?? false);
      if (lookup?.hit) return this.resolve(lookup.value);
      if (lookup?.shared) {
        // Single flight: an identical read to this node is in flight; take its reply, or send this one if it
        // failed. Never past this call's own deadline (the shared read may have a longer one).
        let timedOut = false;
        const timer =
          this.deadline === Infinity
            ? undefined
            : setTimeout(() => {
                timedOut = true;
                this.reject(new CommandTimeoutError(this.info.name, this.timeoutMs, false));
              }, Math.max(0, this.deadline - Date.now()));
        void lookup.shared.then((value) => {
          if (timer !== undefined) clearTimeout(timer);
          if (timedOut) return;
          if (value === undefined) connection.enqueue(this.argv, this.connectionOptions(), this.resolve, this.onError);
          else this.resolve(value);
        });
        return;
      }
      if (lookup) {
        return connection.enqueue(
          this.argv,
          this.connectionOptions(),
          (value) => {
            lookup.done(value);
            this.resolve(value);
          },
          (error) => {
            lookup.failed();
            this.onError(error);
          },
        );
      }
    }
    connection.enqueue(this.argv, this.connectionOptions(), this.resolve, this.onError);
  }

  /** Blocking commands lease a dedicated connection so that they never stall other traffic. */
  private runDedicated(node: ClusterNode): void {
    // Getting a dedicated connection (the pool may be full, the node may be reconnecting) counts
    // against the command's deadline: past it the command rejects unsent, and a connection that
    // arrives later goes straight back to the pool.
    let expired = false;
    const timer =
      this.timeoutMs <= 0
        ? undefined
        : setTimeout(() => {
            expired = true;
            this.reject(new CommandTimeoutError(this.info.name, this.timeoutMs, false));
          }, Math.max(0, this.startedAt + this.timeoutMs - Date.now()));
    node.pool.acquire().then((connection: NodeConnection) => {
      if (timer) clearTimeout(timer);
      if (expired) return node.pool.release(connection);
      if (this.asking) connection.enqueue(['ASKING'], undefined, noop, noop);
      connection.enqueue(
        this.argv,
        this.connectionOptions(),
        (value) => {
          node.pool.release(connection);
          this.resolve(value);
        },
        (error) => {
          // A timed-out blocking command still blocks the server side: never reuse that socket.
          node.pool.release(connection, error instanceof CommandTimeoutError || error instanceof ConnectionError);
          this.onError(error);
        },
      );
    }, (error: Error) => {
      if (timer) clearTimeout(timer);
      if (!expired) this.onError(error);
    });
  }

  private connectionOptions(): CommandOptions | undefined {
    const buffers = this.options?.returnBuffers ?? false;
    if (this.deadline === Infinity) return { timeout: 0, returnBuffers: buffers };
    const remaining = Math.max(1, this.deadline - Date.now());
    if (!buffers && this.redirects === 0 && this.blockMs === undefined && this.options?.timeout === undefined) return undefined;
    return { timeout: remaining, returnBuffers: buffers };
  }

  private readonly onError = (error: Error): void => {
    // A node-bound command (node client, health check) never follows redirects.
    if (this.options?.node) return this.reject(error);
    const action = classifyRedirect(error);
    const from = this.lastNode?.address ?? '?';
    this.asking = false;
    switch (action.kind) {
      case 'moved': {
        this.ctx.stats.moved++;
        // Patch with the address the client dials (after nodeAddressMap), which is how the topology knows it.
        const target = this.nodeAt(action.address);
        if (target) this.ctx.topology.patchSlot(action.slot, target.address);
        this.ctx.topology.requestRefresh();
        if (!this.redirect(error, { kind: 'MOVED', from, to: action.address, slot: action.slot })) return;
        this.target = target;
        if (!this.target) return this.retryLater(error, 'MOVED');
        return this.run();
      }
      case 'ask': {
        this.ctx.stats.ask++;
        if (!this.redirect(error, { kind: 'ASK', from, to: action.address, slot: action.slot })) return;
        this.target = this.nodeAt(action.address);
        if (!this.target) {
          this.ctx.topology.requestRefresh();
          return this.retryLater(error, 'ASK');
        }
        this.asking = true;
        this.run();
        // ASK applies to this one attempt; a later retry routes by slot again.
        this.target = this.options?.node;
        return;
      }
      case 'tryagain':
        this.ctx.stats.tryAgain++;
        this.target = this.options?.node;
        return this.retryLater(error, 'TRYAGAIN');
      case 'clusterdown':
      case 'unavailable':
        this.ctx.stats.clusterDown++;
        this.ctx.topology.requestRefresh();
        this.target = this.options?.node;
        this.forceMaster = true;
        return this.retryLater(error, 'CLUSTERDOWN');
      case 'none':
        break;
    }
    if (error instanceof ConnectionError && !this.options?.node && (!error.mayHaveRun || this.info.readOnly)) {
      // Unsent (or read-only) commands of a lost or removed node are re-routed after a refresh.
      this.ctx.stats.connectionRetries++;
      this.ctx.topology.requestRefresh();
      this.target = undefined;
      this.forceMaster = true;
      return this.retryLater(error, 'CONNECTION');
    }
    if (error instanceof ConnectionError || error instanceof CommandTimeoutError) this.ctx.topology.requestRefresh();
    if (error instanceof CommandTimeoutError && this.lastRetryError) {
      return this.reject(new CommandTimeoutError(this.info.name, this.timeoutMs, error.written, { cause: this.lastRetryError }));
    }
    this.reject(error);
  };

  /** Counts a redirect; rejects with RedirectionLimitError past the limit. */
  private redirect(error: Error, step: RedirectStep): boolean {
    (this.history ??= []).push(step);
    if (++this.redirects > this.ctx.options.maxCommandRedirections) {
      this.reject(new RedirectionLimitError(this.info.name, this.ctx.options.maxCommandRedirections, this.history, error));
      return false;
    }
    return true;
  }

  private retryLater(error: Error, kind: RedirectStep['kind']): void {
    if (!this.redirect(error, { kind, from: this.lastNode?.address ?? '?' })) return;
    this.lastRetryError = error;
    const remaining = this.deadline - Date.now();
    if (remaining <= 0) return this.reject(error);
    this.executor.schedule(retryDelay(this.redirects - 1, remaining), () => this.run(), this.reject);
  }

  /** The node a redirect names, dialled through nodeAddressMap (created as a stray when unknown). */
  private nodeAt(address: string): ClusterNode | undefined {
    const resolved = resolveRedirectAddress(address, this.lastNode?.host ?? '127.0.0.1');
    if (!resolved) return undefined;
    const mapped = this.ctx.options.mapAddress(resolved.host, resolved.port);
    return this.ctx.registry.get(`${mapped.host}:${mapped.port}`) ?? this.ctx.registry.getOrCreate(mapped.host, mapped.port);
  }
}
