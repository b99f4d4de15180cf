import { AlreadyExecutedError } from '../errors/already-executed.error.js';
import { commandInfo } from '../commands/command-info.js';
import { connectionStateRefusal } from './connection-state-commands.js';
import { transformReply, type CommandDefinition } from '../commands/command-definition.js';
import { installCommands, type CommandMethods } from '../commands/commands.js';
import { keySlot } from '../commands/key-slot.js';
import type { NodeConnection } from '../connection/node-connection.js';
import { ArgumentError, CommandTimeoutError, CrossSlotError } from '../errors/base.error.js';
import { buildCommand, copyArgv } from '../commands/validate-command.js';
import { settle } from './entry-checks.js';
import { ConnectionError } from '../errors/connection.error.js';
import { PoolTimeoutError } from '../pool/node-pool.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import type { ClusterNode } from './cluster-node.js';
import type { CommandExecutor } from './command-executor.js';
import { ClusterTransaction } from './cluster-transaction.js';
import { callDeadline, RetryLoop, type LoopDeadline } from './retry-loop.js';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface WatchSession extends CommandMethods {}

/**
 * A WATCH on keys of one slot, held on a dedicated connection leased from the slot owner's pool.
 * Read with the session's command methods, then `multi()…exec()`: exec rejects with WatchError
 * when a watched key changed, and returns the connection to the pool either way. Call
 * `release()` when giving up without exec.
 */
export class WatchSession {
  private done = false;
  /** The connection reconnected since WATCH: the server forgot the watch, so EXEC must not run. */
  private lost = false;
  private readonly onLost = (): void => {
    this.lost = true;
  };

  /** @internal */
  constructor(
    private readonly executor: CommandExecutor,
    private readonly node: ClusterNode,
    private readonly connection: NodeConnection,
    private readonly slot: number,
    /** The watch followed an ASK: the slot is importing on this node, every command needs ASKING. */
    private readonly asking: boolean,
  ) {
    connection.on('reconnecting', this.onLost);
    connection.on('end', this.onLost);
  }

  /**
   * WATCHes `keys` through the shared retry loop: MOVED, ASK (the session then sends ASKING before
   * each of its commands and before MULTI), TRYAGAIN and CLUSTERDOWN are followed, and leasing the
   * pooled connection plus every hop share one `commandTimeout` from the call.
   * @internal
   */
  static open(executor: CommandExecutor, keys: readonly RedisArgument[]): Promise<WatchSession> {
    if (keys.length === 0) return Promise.reject(new TypeError('watch() needs at least one key'));
    const slots = [...new Set(keys.map((key) => keySlot(key)))];
    if (slots.length > 1) return Promise.reject(new CrossSlotError('WATCH', slots));
    const timeoutMs = executor.context.defaultTimeout;
    const deadline = { at: callDeadline(timeoutMs), timeoutMs };
    return new Promise((resolve, reject) => new WatchAttempt(executor, keys, slots[0]!, deadline, resolve, reject).start());
  }

  /** `host:port` of the node holding the watch. */
  get address(): string {
    return this.node.address;
  }

  /**
   * Sends a command on the session's connection (no routing, no redirects). `WATCH` of more keys of
   * the session's slot is allowed (another slot: CrossSlotError); other commands that would change
   * the connection's state (MULTI, EXEC, UNWATCH, RESET, QUIT, HELLO…) are refused with
   * UnsupportedCommandError: use `multi()` and `release()`. After `exec()` or `release()` the
   * session rejects every call with AlreadyExecutedError (its connection is back in the pool).
   */
  sendCommand<T = RespValue>(args: readonly RedisArgument[]): Promise<T> {
    const argv = copyArgv(args);
    if (argv instanceof ArgumentError) return Promise.reject(argv);
    if (this.done) return Promise.reject(new AlreadyExecutedError('watch session'));
    const info = commandInfo(argv);
    if (info.name === 'WATCH') {
      // Watching more keys on the session's own connection is what WATCH is for, within its slot.
      const slots = [...new Set([this.slot, ...info.keys.map((key) => keySlot(key))])];
      if (slots.length > 1) return Promise.reject(new CrossSlotError('WATCH', slots));
    } else {
      const refused = connectionStateRefusal(info, 'session.sendCommand()');
      if (refused) return Promise.reject(refused);
    }
    return settle(() => this.traced(argv, () => this.connection.sendCommand<T>(argv, this.asking ? { asking: true } : undefined)));
  }

  /** A transaction bound to this session; its exec() ends the session. */
  multi(): ClusterTransaction {
    this.assertOpen();
    return new ClusterTransaction(this.executor, {
      connection: this.connection,
      slot: this.slot,
      asking: this.asking,
      lost: () => this.lost,
      finished: (broken) => this.finish(broken),
    });
  }

  /** UNWATCHes and returns the connection to the pool. Idempotent. */
  async release(): Promise<void> {
    if (this.done) return;
    try {
      await this.connection.sendCommand(['UNWATCH']);
      this.finish(false);
    } catch {
      this.finish(true);
    }
  }

  /** @internal */
  executeDefinition(def: CommandDefinition, args: unknown[]): Promise<unknown> {
    const argv = buildCommand(def, args);
    if (argv instanceof ArgumentError) return Promise.reject(argv);
    return settle(() => {
      this.assertOpen();
      const send = (): Promise<unknown> => {
        const raw = this.connection.sendCommand(argv, def.buffers || this.asking ? { returnBuffers: def.buffers ?? false, asking: this.asking } : undefined);
        return transformReply(raw, def);
      };
      return this.traced(argv, send);
    });
  }

  /** Runs `send` as a traced command when observability is active (the session's node is the command's node). */
  private traced<T>(argv: readonly RedisArgument[], send: () => Promise<T>): Promise<T> {
    const tracer = this.executor.context.tracer;
    if (!tracer?.active) return send();
    return tracer.traceCommand(argv, undefined, (observer) => {
      observer?.onNode(this.node.host, this.node.port, this.node.role);
      return send();
    });
  }

  private assertOpen(): void {
    if (this.done) throw new AlreadyExecutedError('watch session');
  }

  private finish(broken: boolean): void {
    if (this.done) return;
    this.done = true;
    this.connection.off('reconnecting', this.onLost);
    this.connection.off('end', this.onLost);
    this.node.pool.release(this.connection, broken || this.lost);
  }
}

/** Opening a watch: lease a dedicated connection from the slot owner's pool and WATCH on it. @internal */
class WatchAttempt extends RetryLoop<WatchSession> {
  constructor(
    private readonly commandExecutor: CommandExecutor,
    private readonly keys: readonly RedisArgument[],
    slot: number,
    deadline: LoopDeadline,
    resolve: (session: WatchSession) => void,
    reject: (error: Error) => void,
  ) {
    super(commandExecutor, 'WATCH', slot, deadline.at, deadline.timeoutMs, false, true, resolve, reject);
    this.armGuard();
  }

  protected send(node: ClusterNode, asking: boolean): void {
    const at = this.at;
    node.pool.acquireBy(at).then(
      (connection) => {
        const options = at === Infinity ? { timeout: 0, asking } : { timeout: Math.max(1, at - Date.now()), deadline: at, asking };
        connection.sendCommand(['WATCH', ...this.keys], options).then(
          () => {
            const session = new WatchSession(this.commandExecutor, node, connection, this.slot!, asking);
            // Settled already (the deadline passed meanwhile): give the connection back.
            if (this.settled) void session.release();
            else this.resolve(session);
          },
          (error: Error) => {
            node.pool.release(connection, error instanceof ConnectionError || error instanceof CommandTimeoutError);
            this.fail(error);
          },
        );
      },
      (error: Error) => (error instanceof PoolTimeoutError ? this.timedOut() : this.fail(error)),
    );
  }
}

installCommands(WatchSession.prototype, function (this: unknown, def: CommandDefinition, args: unknown[]) {
  return (this as WatchSession).executeDefinition(def, args);
});
