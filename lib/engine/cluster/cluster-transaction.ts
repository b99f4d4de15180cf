import { connectionStateRefusal } from './connection-state-commands.js';
import type { CommandDefinition } from '../commands/command-definition.js';
import { commandInfo } from '../commands/command-info.js';
import type { CallObserver } from '../observability/trace-context.js';
import { installCommands, type QueuedCommandMethods } from '../commands/commands.js';
import { keySlot } from '../commands/key-slot.js';
import type { NodeConnection } from '../connection/node-connection.js';
import { ArgumentError, CommandTimeoutError, CrossSlotError, UnsupportedCommandError, WatchError } from '../errors/base.error.js';
import { AlreadyExecutedError } from '../errors/already-executed.error.js';
import { buildCommand, copyArgv } from '../commands/validate-command.js';
import { ConnectionError } from '../errors/connection.error.js';
import { AskError, ClusterDownError, ExecAbortError, MovedError, ReplyError, TryAgainError } from '../errors/reply.error.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import type { CommandExecutor } from './command-executor.js';
import { callDeadline } from './retry-loop.js';
import { sendBlock, TransactionAttempt } from './transaction-attempt.js';

interface Queued {
  readonly argv: RedisArgument[];
  readonly def: CommandDefinition | undefined;
}

/** What a transaction runs on when it is bound to a WATCH session. @internal */
export interface WatchBinding {
  readonly connection: NodeConnection;
  readonly slot: number | undefined;
  /** The watch followed an ASK: the block goes with ASKING before MULTI. */
  readonly asking: boolean;
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
 * MOVED or ASK for the block re-runs the whole transaction on the new owner (ASKING before MULTI),
 * TRYAGAIN/CLUSTERDOWN retry it after a backoff, all within one `commandTimeout` from `exec()`.
 * `exec()` resolves with one reply per command (an error reply inside EXEC is a ReplyError
 * element), or rejects with WatchError when a watched key changed.
 */
export class ClusterTransaction {
  private readonly queued: Queued[] = [];
  private executed = false;
  /** The first invalid or refused command queued: exec rejects with it and sends nothing. */
  private invalid: ArgumentError | UnsupportedCommandError | undefined;

  /** @internal */
  constructor(
    private readonly executor: CommandExecutor,
    private readonly binding: WatchBinding | undefined,
  ) {}

  get length(): number {
    return this.queued.length;
  }

  /**
   * Queues any command (argv, name first). Commands that change the connection's state (RESET and
   * QUIT run at once even inside MULTI), MULTI/EXEC/WATCH themselves and WAIT/WAITAOF (answered at
   * once inside MULTI) are refused: exec rejects with UnsupportedCommandError and sends nothing.
   */
  addCommand(args: readonly RedisArgument[]): this {
    const argv = copyArgv(args, 'multi.addCommand');
    if (argv instanceof ArgumentError) this.invalid ??= argv;
    else {
      const refused = connectionStateRefusal(commandInfo(argv), 'multi.addCommand()', true);
      if (refused) this.invalid ??= refused;
      else this.queued.push({ argv, def: undefined });
    }
    return this;
  }

  /** @internal */
  queueDefinition(def: CommandDefinition, args: unknown[]): this {
    const argv = buildCommand(def, args);
    if (argv instanceof ArgumentError) this.invalid ??= argv;
    else this.queued.push({ argv, def });
    return this;
  }

  exec(): Promise<unknown[]> {
    const tracer = this.executor.context.tracer;
    if (this.executed || !tracer?.active || this.invalid) return this.run(undefined);
    return tracer.traceTransaction(
      this.queued.map((q) => q.argv),
      (observer) => this.run(observer),
      (reply) => reply instanceof ReplyError,
    );
  }

  private async run(observer: CallObserver | undefined): Promise<unknown[]> {
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
    const replies = this.binding ? await this.runWatched() : await this.runRouted(slot, observer);
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
    const deadline = callDeadline(this.executor.context.defaultTimeout);
    const commands = this.queued.map((q) => q.argv);
    try {
      const exec = await new Promise<RespValue>((resolve, reject) => {
        // No routing here (the watch pins the node), but the same one deadline for the block.
        sendBlock(binding.connection, commands, binding.asking, deadline, (outcome) => resolve(outcome.exec), (error) => {
          // A redirect of a queued command aborted EXEC (nothing ran); a watch cannot follow it.
          reject(isRedirect(error) ? Object.assign(new ExecAbortError(`EXECABORT Transaction discarded because of: ${error.message}`), { cause: error }) : error);
        });
      });
      if (exec === null) throw new WatchError();
      binding.finished(false);
      return exec as RespValue[];
    } catch (error) {
      binding.finished(error instanceof ConnectionError || error instanceof CommandTimeoutError);
      throw error;
    }
  }

  private runRouted(slot: number | undefined, observer: CallObserver | undefined): Promise<RespValue[]> {
    const ctx = this.executor.context;
    const deadline = { at: callDeadline(ctx.defaultTimeout), timeoutMs: ctx.defaultTimeout };
    const commands = this.queued.map((q) => q.argv);
    return new Promise((resolve, reject) => {
      const attempt = new TransactionAttempt(this.executor, commands, slot, deadline, resolve, reject);
      attempt.observer = observer;
      attempt.start();
    });
  }
}

function isRedirect(error: Error): boolean {
  return error instanceof MovedError || error instanceof AskError || error instanceof TryAgainError || error instanceof ClusterDownError;
}

installCommands(ClusterTransaction.prototype, function (this: unknown, def: CommandDefinition, args: unknown[]) {
  return (this as ClusterTransaction).queueDefinition(def, args);
});
