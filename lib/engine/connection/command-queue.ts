import { CommandTimeoutDuringMaintenanceError, CommandTimeoutError, ProtocolError, QueueFullError } from '../errors/base.error.js';
import { checkArguments } from '../resp/argument-check.js';
import type { CommandEncoder } from '../resp/encoder.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import { Deque } from '../util/deque.js';
import { withoutStack } from '../util/without-stack.js';
import { DeadlineTimer } from './deadline-timer.js';
import { kindOf, textOf } from './push-frames.js';
import { CommandState, QueuedCommand, type CommandOptions } from './queued-command.js';

/** One command of a block given to {@link CommandQueue.addBlock}. */
export interface BlockCommand {
  readonly args: readonly RedisArgument[];
  readonly resolve: (value: RespValue) => void;
  readonly reject: (error: Error) => void;
}

/** Encoded bytes waiting in the encoder are written once they reach this size (1 MiB), between commands. */
const WRITE_THRESHOLD = 1 << 20;
const ASKING: readonly RedisArgument[] = ['ASKING'];
const noop = (): void => undefined;

/** The upper-case command name of a checked argv, for error messages. @internal */
export function commandName(args: readonly RedisArgument[]): string {
  const first = args[0];
  return typeof first === 'string' ? first.toUpperCase() : 'command';
}

/**
 * The commands of one node connection, without any I/O: validation at enqueue, deadlines (one
 * timer, O(expired) sweeps), the bound on what is held for the node, MULTI blocks kept whole,
 * ASKING pairs, the in-order matching of replies, and what happens to each kind of command when a
 * socket is lost.
 *
 * Everything held counts against `maxQueueLength`: commands not yet written and commands written
 * and awaiting their reply (a command that timed out after it was written keeps its reply slot
 * until the reply or the socket's end). The count is kept in O(1): no copy or scan per command.
 * @internal
 */
export class CommandQueue {
  private readonly pending = new Deque<QueuedCommand>();
  private readonly inflight = new Deque<QueuedCommand>();
  /** Commands in `pending` that settled (timed out) before being written; skipped when writing. */
  private settledUnsent = 0;
  private relaxedTimeout: number | undefined;
  private readonly deadlines = new DeadlineTimer((command) => this.expire(command));

  constructor(private readonly settings: { readonly maxQueueLength: number; readonly commandTimeout: number }) {}

  /** Commands waiting to be written (not counting those that already timed out). */
  get unsentCount(): number {
    return this.pending.length - this.settledUnsent;
  }

  /** Commands written and awaiting a reply (timed-out ones included: their reply is still due). */
  get inflightCount(): number {
    return this.inflight.length;
  }

  /** Everything held for the node: unsent plus in flight. Bounded by `maxQueueLength`. */
  get heldCount(): number {
    return this.unsentCount + this.inflight.length;
  }

  /** True when there is something to write. */
  get hasUnsent(): boolean {
    return this.pending.length > 0;
  }

  /** The oldest command awaiting a reply (the one the server answers next). */
  oldestInflight(): QueuedCommand | undefined {
    return this.inflight.peek();
  }

  /** Whether the next reply is to be decoded with Buffers (undefined when nothing waits). */
  headWantsBuffers(): boolean | undefined {
    return this.inflight.peek()?.buffers;
  }

  // ---- adding ----------------------------------------------------------------------------------

  /**
   * Queues one command and returns its absolute deadline (epoch ms, Infinity for none; before any
   * maintenance relaxation), or returns why it cannot be queued (bad arguments, queue full,
   * deadline already past) with nothing queued. Never throws.
   */
  add(args: readonly RedisArgument[], options: CommandOptions | undefined, resolve: (value: RespValue) => void, reject: (error: Error) => void): number | Error {
    const invalid = checkArguments(args);
    if (invalid) return invalid;
    if (this.heldCount >= this.settings.maxQueueLength) return withoutStack(() => new QueueFullError(this.settings.maxQueueLength));
    const now = Date.now();
    const absolute = options?.deadline;
    let timeoutMs: number;
    let deadline: number;
    if (absolute !== undefined) {
      // What is left of a cluster-level call's one deadline wins over `timeout`.
      timeoutMs = options?.timeout ?? Math.max(0, absolute - now);
      if (!(absolute > now)) return new CommandTimeoutError(commandName(args), timeoutMs, false);
      deadline = absolute;
    } else {
      timeoutMs = options?.timeout ?? this.settings.commandTimeout;
      deadline = timeoutMs > 0 ? now + timeoutMs : Infinity;
    }
    const expect = options?.expectPushes;
    const command = new QueuedCommand(args, options?.returnBuffers ?? false, timeoutMs, deadline, resolve, reject, expect?.kind, expect?.count ?? 0);
    if (expect?.channels) command.expectChannels = new Set(expect.channels);
    if (options?.asking === true) command.asking = true;
    if (this.relaxedTimeout !== undefined) this.relaxOne(command, this.relaxedTimeout);
    this.pending.push(command);
    this.deadlines.watch(command);
    return deadline;
  }

  /**
   * Queues commands as one unit (MULTI … EXEC): all arguments and the capacity are checked first
   * (one bad command refuses the whole block), they share one deadline and are written together.
   * Returns why the block was refused, with nothing queued. Never throws.
   */
  addBlock(commands: readonly BlockCommand[], options?: Pick<CommandOptions, 'timeout' | 'deadline'>): Error | undefined {
    for (const c of commands) {
      const invalid = checkArguments(c.args);
      if (invalid) return invalid;
    }
    if (this.heldCount + commands.length > this.settings.maxQueueLength) return withoutStack(() => new QueueFullError(this.settings.maxQueueLength));
    const now = Date.now();
    const absolute = options?.deadline;
    const timeoutMs = absolute !== undefined ? (options?.timeout ?? Math.max(0, absolute - now)) : (options?.timeout ?? this.settings.commandTimeout);
    if (absolute !== undefined && !(absolute > now)) return new CommandTimeoutError(commandName(commands[0]!.args), timeoutMs, false);
    const deadline = absolute !== undefined ? absolute : timeoutMs > 0 ? now + timeoutMs : Infinity;
    const queued = commands.map((c) => new QueuedCommand(c.args, false, timeoutMs, deadline, c.resolve, c.reject, undefined, 0));
    const block = { started: false, last: queued[queued.length - 1]! };
    for (const command of queued) {
      command.block = block;
      if (this.relaxedTimeout !== undefined) this.relaxOne(command, this.relaxedTimeout);
      this.pending.push(command);
      this.deadlines.watch(command);
    }
    return undefined;
  }

  /** Queues a command of the connection itself (QUIT) after everything else, without limits. */
  addInternal(command: QueuedCommand): void {
    this.pending.push(command);
  }

  /** Records a handshake command the handshake wrote itself (its reply comes before any user command's). */
  addWritten(command: QueuedCommand): void {
    command.state = CommandState.Written;
    this.inflight.push(command);
  }

  // ---- maintenance relaxation ------------------------------------------------------------------

  /** Extends the deadline of every command held (and issued from now on) to at least `timeoutMs` from its issue. */
  relax(timeoutMs: number): void {
    this.relaxedTimeout = timeoutMs;
    for (const command of this.pending) this.relaxOne(command, timeoutMs);
    for (const command of this.inflight) this.relaxOne(command, timeoutMs);
    this.deadlines.rebuild(this.allHeld());
  }

  /** Commands issued from now on get the normal deadline again. */
  restore(): void {
    this.relaxedTimeout = undefined;
  }

  /** True while deadlines are relaxed. */
  get relaxed(): boolean {
    return this.relaxedTimeout !== undefined;
  }

  /** The relaxed timeout in ms, while relaxed. */
  get relaxedTimeoutMs(): number | undefined {
    return this.relaxedTimeout;
  }

  private *allHeld(): Iterable<QueuedCommand> {
    yield* this.pending;
    yield* this.inflight;
  }

  private relaxOne(command: QueuedCommand, timeoutMs: number): void {
    if (command.state === CommandState.Settled || command.timeoutMs <= 0 || command.timeoutMs >= timeoutMs) return;
    command.deadline += timeoutMs - command.timeoutMs;
    command.timeoutMs = timeoutMs;
    command.relaxed = true;
  }

  private expire(command: QueuedCommand): void {
    const written = command.state === CommandState.Written;
    if (!written) this.settledUnsent++;
    command.fail(
      withoutStack(() =>
        command.relaxed
          ? new CommandTimeoutDuringMaintenanceError(command.name, command.timeoutMs, written)
          : new CommandTimeoutError(command.name, command.timeoutMs, written),
      ),
    );
  }

  // ---- writing ---------------------------------------------------------------------------------

  /**
   * Encodes unsent commands into `encoder`, calling `write` (which writes what the encoder holds
   * and returns false when the socket asks to wait for 'drain') every 1 MiB between commands, never
   * inside a MULTI block, and once at the end. Returns false when stopped to wait for 'drain'.
   * Commands whose argv no longer passes the check (mutated after enqueue) fail alone; a block
   * fails whole. Never throws for a bad argument.
   */
  writeTo(encoder: CommandEncoder, write: () => boolean): boolean {
    const pending = this.pending;
    const inflight = this.inflight;
    while (pending.length > 0) {
      const command = pending.shift()!;
      if (command.state === CommandState.Settled) {
        this.settledUnsent--;
        continue;
      }
      if (command.block !== undefined && !command.block.started) {
        const broken = this.checkBlock(command);
        if (broken) continue;
      }
      if (command.asking) {
        const invalid = checkArguments(command.args);
        if (invalid) {
          command.fail(invalid);
          continue;
        }
        encoder.push(ASKING);
        const asking = new QueuedCommand(ASKING, false, 0, Infinity, noop, noop, undefined, 0);
        asking.state = CommandState.Written;
        inflight.push(asking);
      }
      try {
        encoder.push(command.args);
      } catch {
        // The argv was changed after it was checked (the encoder appended nothing for it).
        command.fail(checkArguments(command.args) ?? new ProtocolError(`${command.name}: the arguments could not be encoded`));
        continue;
      }
      command.state = CommandState.Written;
      if (command.block) command.block.started = true;
      inflight.push(command);
      const midBlock = command.block !== undefined && command.block.last !== command;
      if (!midBlock && encoder.pendingBytes >= WRITE_THRESHOLD && !write()) return false;
    }
    return encoder.pendingBytes > 0 ? write() : true;
  }

  /**
   * Checks the block starting at `first` (just taken from `pending`) before its first command is
   * encoded: a caller that mutated an argv since enqueue must not get half a block on the wire.
   * On a bad argv the whole block fails and is removed; returns the error.
   */
  private checkBlock(first: QueuedCommand): Error | undefined {
    let error = checkArguments(first.args);
    if (!error) {
      for (const command of this.pending) {
        if (command.block !== first.block) break;
        error = checkArguments(command.args);
        if (error) break;
      }
    }
    if (!error) return undefined;
    first.fail(error);
    while (this.pending.peek()?.block === first.block) {
      const command = this.pending.shift()!;
      if (command.state === CommandState.Settled) this.settledUnsent--;
      else command.fail(error);
    }
    return error;
  }

  // ---- reading ---------------------------------------------------------------------------------

  /** Settles the oldest in-flight command with a reply; false when none was waiting. */
  settleNext(value: RespValue): boolean {
    const command = this.inflight.shift();
    if (command === undefined) return false;
    command.settle(value);
    this.deadlines.release();
    return true;
  }

  /** Fails the oldest in-flight command with an error reply; false when none was waiting. */
  failNext(error: Error): boolean {
    const command = this.inflight.shift();
    if (command === undefined) return false;
    command.fail(error);
    this.deadlines.release();
    return true;
  }

  /**
   * Offers a push frame to the oldest in-flight command (SUBSCRIBE-family confirmations); true when
   * it was consumed. The command settles with its frames once it has them all.
   */
  offerPush(frame: RespValue[]): boolean {
    const head = this.inflight.peek();
    if (
      head?.expectKind === undefined ||
      head.expectCount <= 0 ||
      kindOf(frame) !== head.expectKind ||
      (head.expectChannels !== undefined && !head.expectChannels.has(textOf(frame[1])))
    ) {
      return false;
    }
    (head.collected ??= []).push(frame);
    if (--head.expectCount === 0) {
      this.inflight.shift();
      head.settle(head.collected);
      this.deadlines.release();
    }
    return true;
  }

  // ---- socket loss and closing -------------------------------------------------------------------

  /** Fails every written command (the socket that carried them is gone) with the error `errorFor` makes. */
  failWritten(errorFor: (command: QueuedCommand) => Error): void {
    for (const command of this.inflight.drain()) command.fail(errorFor(command));
  }

  /**
   * Fails the unwritten rest of every block whose start was written: it must not be replayed on a
   * new socket, where it would run outside its MULTI. Other unsent commands stay for the next socket.
   */
  dropStartedBlocks(error: Error): void {
    if (this.pending.length === 0) return;
    this.pending.retain((command) => {
      if (!command.block?.started) return true;
      if (command.state === CommandState.Settled) this.settledUnsent--;
      else command.fail(error);
      return false;
    });
  }

  /** Fails every unsent command with `error`. */
  failUnsent(error: Error): void {
    const commands = this.pending.drain();
    this.settledUnsent = 0;
    for (const command of commands) command.fail(error);
  }

  /** Stops the deadline timer (after everything held was failed). */
  stop(): void {
    this.deadlines.stop();
  }
}
