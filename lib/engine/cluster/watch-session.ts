import type { CommandDefinition } from '../commands/command-definition.js';
import { installCommands, type CommandMethods } from '../commands/commands.js';
import { keySlot } from '../commands/key-slot.js';
import type { NodeConnection } from '../connection/node-connection.js';
import { ArgumentError, CrossSlotError } from '../errors/base.error.js';
import { buildCommand, copyArgv } from '../commands/validate-command.js';
import { settle } from './entry-checks.js';
import { RedirectionLimitError, type RedirectStep } from '../errors/cluster.error.js';
import { ConnectionError } from '../errors/connection.error.js';
import { MovedError } from '../errors/reply.error.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import type { ClusterNode } from './cluster-node.js';
import type { CommandExecutor } from './command-executor.js';
import { ClusterTransaction } from './cluster-transaction.js';
import { resolveRedirectAddress } from './redirect.js';
import type { NodeRegistry } from './node-registry.js';

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

  private constructor(
    private readonly executor: CommandExecutor,
    private readonly node: ClusterNode,
    private readonly connection: NodeConnection,
    private readonly slot: number,
  ) {
    connection.on('reconnecting', this.onLost);
    connection.on('end', this.onLost);
  }

  /** @internal */
  static async open(executor: CommandExecutor, registry: NodeRegistry, keys: readonly RedisArgument[]): Promise<WatchSession> {
    if (keys.length === 0) throw new TypeError('watch() needs at least one key');
    const slots = [...new Set(keys.map((key) => keySlot(key)))];
    if (slots.length > 1) throw new CrossSlotError('WATCH', slots);
    const slot = slots[0]!;
    const ctx = executor.context;
    if (!ctx.topology.current) await ctx.whenTopology();
    const history: RedirectStep[] = [];
    let node = executor.pick(slot, false, true);
    for (;;) {
      if (!node) throw new ConnectionError('?', `no node serves slot ${slot}`);
      const connection = await node.pool.acquireWithin(ctx.defaultTimeout);
      try {
        await connection.sendCommand(['WATCH', ...keys]);
        return new WatchSession(executor, node, connection, slot);
      } catch (error) {
        node.pool.release(connection, error instanceof ConnectionError);
        if (!(error instanceof MovedError)) throw error;
        history.push({ kind: 'MOVED', from: node.address, to: error.address, slot });
        if (history.length > ctx.options.maxCommandRedirections) {
          throw new RedirectionLimitError('WATCH', ctx.options.maxCommandRedirections, history, error);
        }
        const resolved = resolveRedirectAddress(error.address, node.host);
        const mapped = resolved ? ctx.options.mapAddress(resolved.host, resolved.port) : undefined;
        node = mapped ? registry.getOrCreate(mapped.host, mapped.port) : executor.pick(slot, false, true);
        if (node) ctx.topology.patchSlot(slot, node.address);
        ctx.topology.requestRefresh();
      }
    }
  }

  /** `host:port` of the node holding the watch. */
  get address(): string {
    return this.node.address;
  }

  /** Sends a command on the session's connection (no routing, no redirects). */
  sendCommand<T = RespValue>(args: readonly RedisArgument[]): Promise<T> {
    const argv = copyArgv(args);
    if (argv instanceof ArgumentError) return Promise.reject(argv);
    return settle(() => this.connection.sendCommand<T>(argv));
  }

  /** A transaction bound to this session; its exec() ends the session. */
  multi(): ClusterTransaction {
    this.assertOpen();
    return new ClusterTransaction(this.executor, {
      connection: this.connection,
      slot: this.slot,
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
      const raw = this.connection.sendCommand(argv, def.buffers ? { returnBuffers: true } : undefined);
      return def.transform ? raw.then(def.transform) : raw;
    });
  }

  private assertOpen(): void {
    if (this.done) throw new Error('This watch session has ended (exec or release was called)');
  }

  private finish(broken: boolean): void {
    if (this.done) return;
    this.done = true;
    this.connection.off('reconnecting', this.onLost);
    this.connection.off('end', this.onLost);
    this.node.pool.release(this.connection, broken || this.lost);
  }
}

installCommands(WatchSession.prototype, function (this: unknown, def: CommandDefinition, args: unknown[]) {
  return (this as WatchSession).executeDefinition(def, args);
});
