import type { CommandDefinition } from '../commands/command-definition.js';
import { commandInfo } from '../commands/command-info.js';
import { installCommands, type QueuedCommandMethods } from '../commands/commands.js';
import { keySlot } from '../commands/key-slot.js';
import type { NodeConnection } from '../connection/node-connection.js';
import { ArgumentError, ClientClosedError, CrossSlotError, WatchError } from '../errors/base.error.js';
import { AlreadyExecutedError } from '../errors/already-executed.error.js';
import { buildCommand, copyArgv } from '../commands/validate-command.js';
import { RedirectionLimitError, type RedirectStep } from '../errors/cluster.error.js';
import { ConnectionError } from '../errors/connection.error.js';
import { AskError, ClusterDownError, ExecAbortError, MovedError, ReplyError, TryAgainError } from '../errors/reply.error.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import type { ClusterNode } from './cluster-node.js';
import type { CommandExecutor } from './command-executor.js';
import { resolveRedirectAddress, retryDelay } from './redirect.js';

interface Queued {
  readonly argv: RedisArgument[];
  readonly def: CommandDefinition | undefined;
}

/** What a transaction runs on when it is bound to a WATCH session. @internal */
export interface WatchBinding {
  readonly connection: NodeConnection;
  readonly slot: number | undefined;
  /** True when the watching connection reconnected: the server no longer watches the keys. */
  lost(): boolean;
  /** Called once exec settles (the session's connection goes back to the pool). */
  finished(broken: boolean): void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClusterTransaction extends QueuedCommandMethods<ClusterTransaction> {}

/**
 * An atomic MULTI/EXEC. Every key of every queued command must hash to one slot (CrossSlotError
 * before anything is sent). The block is written contiguously on the slot owner's connection; a
 * MOVED or ASK for the block re-runs the whole transaction on the new owner (ASKING before MULTI).
 * `exec()` resolves with one reply per command (an error reply inside EXEC is a ReplyError
 * element), or rejects with WatchError when a watched key changed.
 */
export class ClusterTransaction {
  private readonly queued: Queued[] = [];
  private executed = false;
  /** The first invalid command queued: exec rejects with it and sends nothing. */
  private invalid: ArgumentError | undefined;

  /** @internal */
  constructor(
    private readonly executor: CommandExecutor,
    private readonly binding: WatchBinding | undefined,
  ) {}

  get length(): number {
    return this.queued.length;
  }

  /** Queues any command (argv, name first). */
  addCommand(args: readonly RedisArgument[]): this {
    const argv = copyArgv(args, 'multi.addCommand');
    if (argv instanceof ArgumentError) this.invalid ??= argv;
    else this.queued.push({ argv, def: undefined });
    return this;
  }

  /** @internal */
  queueDefinition(def: CommandDefinition, args: unknown[]): this {
    const argv = buildCommand(def, args);
    if (argv instanceof ArgumentError) this.invalid ??= argv;
    else this.queued.push({ argv, def });
    return this;
  }

  async exec(): Promise<unknown[]> {
    if (this.executed) throw new AlreadyExecutedError('transaction');
    this.executed = true;
    let slot: number | undefined;
    try {
      if (this.invalid) throw this.invalid;
      slot = this.commonSlot();
    } catch (error) {
      this.binding?.finished(false);
      throw error;
    }
    const replies = this.binding ? await this.runWatched() : await this.runRouted(slot);
    return replies.map((reply, i) => {
      const def = this.queued[i]!.def;
      return def?.transform && !(reply instanceof ReplyError) ? def.transform(reply) : reply;
    });
  }

  private commonSlot(): number | undefined {
    const slots = new Set<number>();
    if (this.binding?.slot !== undefined) slots.add(this.binding.slot);
    for (const { argv } of this.queued) for (const key of commandInfo(argv).keys) slots.add(keySlot(key));
    if (slots.size > 1) throw new CrossSlotError('MULTI', [...slots]);
    return slots.values().next().value;
  }

  private async runWatched(): Promise<RespValue[]> {
    const binding = this.binding!;
    if (binding.lost()) {
      binding.finished(true);
      // Running EXEC now would skip the optimistic check: report it as a failed watch instead.
      throw new WatchError('EXEC not sent: the connection holding the WATCH was lost, so the watch no longer protects the keys');
    }
    try {
      const { exec } = await this.send(binding.connection, false);
      if (exec === null) throw new WatchError();
      binding.finished(false);
      return exec as RespValue[];
    } catch (error) {
      binding.finished(error instanceof ConnectionError);
      throw error;
    }
  }

  private async runRouted(slot: number | undefined): Promise<RespValue[]> {
    const ctx = this.executor.context;
    const history: RedirectStep[] = [];
    let target: ClusterNode | undefined;
    let asking = false;
    const deadline = ctx.defaultTimeout > 0 ? Date.now() + ctx.defaultTimeout : Infinity;
    for (;;) {
      if (ctx.isClosed()) throw new ClientClosedError();
      if (!ctx.topology.current) await ctx.whenTopology();
      const node = target ?? this.executor.pick(slot, false, true);
      if (!node) throw new ConnectionError('?', `no node serves slot ${slot ?? '?'}`);
      let outcome: { exec: RespValue; queuedErrors: Error[] };
      try {
        outcome = await this.send(node.connection, asking);
      } catch (error) {
        const redirect = error instanceof ExecAbortError ? (error.cause as Error | undefined) : undefined;
        if (redirect instanceof TryAgainError || redirect instanceof ClusterDownError) {
          // Nothing ran (EXEC discarded the block): retry the whole transaction after a backoff,
          // within the deadline, as single commands do.
          const kind = redirect instanceof TryAgainError ? 'TRYAGAIN' : 'CLUSTERDOWN';
          if (kind === 'TRYAGAIN') ctx.stats.tryAgain++;
          else {
            ctx.stats.clusterDown++;
            ctx.topology.requestRefresh();
            target = undefined;
          }
          asking = false;
          this.countRedirect(history, { kind, from: node.address }, redirect);
          const remaining = deadline - Date.now();
          if (remaining <= 0) throw error;
          await new Promise<void>((resolve, reject) => this.executor.schedule(retryDelay(history.length - 1, remaining), resolve, reject));
          continue;
        }
        if (!(redirect instanceof MovedError || redirect instanceof AskError)) {
          if (error instanceof ConnectionError && !error.mayHaveRun) {
            ctx.topology.requestRefresh();
            target = undefined;
            asking = false;
            if (this.countRedirect(history, { kind: 'CONNECTION', from: node.address }, error)) continue;
          }
          throw error;
        }
        const kind = redirect instanceof MovedError ? 'MOVED' : 'ASK';
        this.countRedirect(history, { kind, from: node.address, to: redirect.address, slot: redirect.slot }, error as Error);
        const resolved = resolveRedirectAddress(redirect.address, node.host);
        if (!resolved) throw error;
        const mapped = ctx.options.mapAddress(resolved.host, resolved.port);
        target = ctx.registry.getOrCreate(mapped.host, mapped.port);
        if (kind === 'MOVED') {
          ctx.stats.moved++;
          ctx.topology.patchSlot(redirect.slot, target.address);
          ctx.topology.requestRefresh();
        } else ctx.stats.ask++;
        asking = kind === 'ASK';
        continue;
      }
      return outcome.exec as RespValue[];
    }
  }

  private countRedirect(history: RedirectStep[], step: RedirectStep, error: Error): true {
    history.push(step);
    const limit = this.executor.context.options.maxCommandRedirections;
    if (history.length > limit) throw new RedirectionLimitError('MULTI', limit, history, error);
    return true;
  }

  /**
   * Writes [ASKING] MULTI cmd… EXEC in one go (the queue keeps them contiguous). Rejects with an
   * ExecAbortError whose cause is the first MOVED/ASK of a queued command, when there is one.
   */
  private send(connection: NodeConnection, asking: boolean): Promise<{ exec: RespValue; queuedErrors: Error[] }> {
    return new Promise((resolve, reject) => {
      const queuedErrors: Error[] = [];
      const collect = (error: Error) => queuedErrors.push(error);
      const ignore = () => undefined;
      const block: Array<{ args: readonly RedisArgument[]; resolve: (value: RespValue) => void; reject: (error: Error) => void }> = [];
      if (asking) block.push({ args: ['ASKING'], resolve: ignore, reject: collect });
      block.push({ args: ['MULTI'], resolve: ignore, reject: collect });
      for (const { argv } of this.queued) block.push({ args: argv, resolve: ignore, reject: collect });
      block.push({
        args: ['EXEC'],
        resolve: (exec) => resolve({ exec, queuedErrors }),
        reject: (error) => {
          const redirect = queuedErrors.find(
            (e) => e instanceof MovedError || e instanceof AskError || e instanceof TryAgainError || e instanceof ClusterDownError,
          );
          if (error instanceof ExecAbortError && redirect) {
            reject(Object.assign(new ExecAbortError(error.message), { cause: redirect }));
          } else reject(error);
        },
      });
      connection.enqueueBlock(block);
    });
  }
}

installCommands(ClusterTransaction.prototype, function (this: unknown, def: CommandDefinition, args: unknown[]) {
  return (this as ClusterTransaction).queueDefinition(def, args);
});
