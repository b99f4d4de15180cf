import type { RedisArgument, RespValue } from '../resp/types.js';

/** Lifecycle of a queued command. @internal */
export const enum CommandState {
  /** Waiting to be written. */
  Pending = 0,
  /** Written to the socket, waiting for its reply. */
  Written = 1,
  /** Resolved or rejected (a late reply is discarded). */
  Settled = 2,
}

/** Per-command options understood by a node connection. */
export interface CommandOptions {
  /** Decode this reply's strings as Buffers. @default false */
  returnBuffers?: boolean;
  /** Deadline for this command in ms (overrides `commandTimeout`; 0 = none). */
  timeout?: number;
  /**
   * Absolute deadline, in epoch milliseconds (`Date.now()` scale), of the user call this send belongs
   * to. Takes precedence over `timeout`: a cluster-level call that was redirected or retried passes
   * what is left of its one deadline this way, so no hop restarts the clock. When both are given,
   * `timeout` only names the call's whole budget in the CommandTimeoutError. A deadline already
   * past rejects at once with CommandTimeoutError (`written: false`), nothing queued.
   */
  deadline?: number;
  /**
   * Send `ASKING` immediately before this command, queued and written together with it as one unit
   * (never split by a queue limit or across sockets); the ASKING reply is consumed internally and
   * the promise settles with the command's own reply.
   */
  asking?: boolean;
  /**
   * @internal The command is answered by `count` push frames of `kind` (SUBSCRIBE-family
   * confirmations) instead of a reply; it resolves with those frames.
   */
  expectPushes?: { kind: string; count: number; channels?: readonly string[] };
}

/**
 * One command travelling through a connection. A class (not a closure bag) so that V8 keeps one
 * hidden class for the hot path.
 * @internal
 */
export class QueuedCommand {
  state: CommandState = CommandState.Pending;
  constructor(
    readonly args: readonly RedisArgument[],
    readonly buffers: boolean,
    public timeoutMs: number,
    public deadline: number,
    readonly resolve: (value: RespValue) => void,
    readonly reject: (error: Error) => void,
    readonly expectKind: string | undefined,
    public expectCount: number,
  ) {}

  /** Confirmation frames collected so far (SUBSCRIBE family). */
  collected: RespValue[][] | undefined;
  /**
   * Commands queued together by enqueueBlock (MULTI…EXEC): written in one go, never split across
   * two sockets. `started` turns true when the first of them is written.
   */
  block: { started: boolean; readonly last: QueuedCommand } | undefined;
  /** The deadline was relaxed for a maintenance window. */
  relaxed = false;
  /** Only confirmations for these channels count (tells server-initiated pushes apart). */
  expectChannels: ReadonlySet<string> | undefined;
  /** `ASKING` is written immediately before this command, as one unit with it. */
  asking = false;

  get name(): string {
    const first = this.args[0];
    return typeof first === 'string' ? first.toUpperCase() : String(first ?? '');
  }

  /**
   * Resolves once. A callback that throws (a bug of its caller: the promise's own functions never
   * do) cannot unwind into the decoder's loop or a failure loop, where it would leave the commands
   * behind this one unsettled: it surfaces as an uncaught exception on the next tick instead.
   */
  settle(value: RespValue): void {
    if (this.state === CommandState.Settled) return;
    this.state = CommandState.Settled;
    try {
      this.resolve(value);
    } catch (thrown) {
      rethrowLater(thrown);
    }
  }

  /** Rejects once; a throwing callback is isolated as in {@link settle}. */
  fail(error: Error): void {
    if (this.state === CommandState.Settled) return;
    this.state = CommandState.Settled;
    try {
      this.reject(error);
    } catch (thrown) {
      rethrowLater(thrown);
    }
  }
}

function rethrowLater(thrown: unknown): void {
  process.nextTick(() => {
    throw thrown;
  });
}
