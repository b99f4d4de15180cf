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
   * @internal Push frames arriving while this command is at the head of the in-flight queue are
   * offered here first (SUBSCRIBE-family confirmations in RESP3); return true when consumed.
   */
  onPush?: (frame: RespValue[]) => boolean;
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
    readonly timeoutMs: number,
    readonly deadline: number,
    readonly resolve: (value: RespValue) => void,
    readonly reject: (error: Error) => void,
    readonly onPush: ((frame: RespValue[]) => boolean) | undefined,
  ) {}

  get name(): string {
    const first = this.args[0];
    return typeof first === 'string' ? first.toUpperCase() : String(first ?? '');
  }

  settle(value: RespValue): void {
    if (this.state === CommandState.Settled) return;
    this.state = CommandState.Settled;
    this.resolve(value);
  }

  fail(error: Error): void {
    if (this.state === CommandState.Settled) return;
    this.state = CommandState.Settled;
    this.reject(error);
  }
}
