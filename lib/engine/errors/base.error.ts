/**
 * Root of every error this package throws. Match on {@link RedisClusterError.code} (stable across
 * versions) rather than on messages. Messages name options, nodes and commands, never argument
 * values, because those may be secrets or personal data.
 */
export abstract class RedisClusterError extends Error {
  /** Stable machine-readable code, e.g. `ERR_REDIS_MOVED`. */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An option given to the client or the module is invalid. Thrown before any socket opens. */
export class ConfigError extends RedisClusterError {
  readonly code = 'ERR_REDIS_CONFIG';
  /** Dotted path of the offending option, e.g. `defaults.socket.connectTimeout`. */
  readonly option: string;

  constructor(option: string, problem: string, options?: { cause?: unknown }) {
    super(`Invalid option "${option}": ${problem}`, options);
    this.option = option;
  }
}

/** The server sent bytes that are not valid RESP. The connection that read them is destroyed. */
export class ProtocolError extends RedisClusterError {
  readonly code = 'ERR_REDIS_PROTOCOL';
}

/**
 * An error named by its class and code only: its message may be a server's text, which can echo
 * arguments (it stays readable on `.cause`).
 */
function describeCause(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? `${error.name} (${code})` : error.name;
}

/** The command did not settle within its deadline (measured from the moment it was issued). */
export class CommandTimeoutError extends RedisClusterError {
  readonly code: string = 'ERR_REDIS_COMMAND_TIMEOUT';
  /** The deadline that elapsed, in milliseconds. */
  readonly timeoutMs: number;
  /** True when the command had been written to a socket, so it may have run on the server. */
  readonly written: boolean;

  constructor(command: string, timeoutMs: number, written: boolean, options?: { cause?: unknown }) {
    super(
      `${command} timed out after ${timeoutMs} ms` +
        (written ? ' (it was sent and may have run on the server)' : ' (it was never sent)') +
        (options?.cause instanceof Error ? `; last retried error: ${describeCause(options.cause)}` : ''),
      options,
    );
    this.timeoutMs = timeoutMs;
    this.written = written;
  }
}

/** The client was closed (or destroyed) before the command could settle. */
export class ClientClosedError extends RedisClusterError {
  readonly code = 'ERR_REDIS_CLIENT_CLOSED';

  constructor(message = 'The client is closed') {
    super(message);
  }
}

/** The client is offline and `disableOfflineQueue` is set, or the offline queue is full. */
export class ClientOfflineError extends RedisClusterError {
  readonly code = 'ERR_REDIS_CLIENT_OFFLINE';
}

/** The offline/in-flight queue reached `maxQueueLength`; the command was rejected at once. */
export class QueueFullError extends RedisClusterError {
  readonly code = 'ERR_REDIS_QUEUE_FULL';

  constructor(limit: number) {
    super(`The command queue is full (maxQueueLength ${limit})`);
  }
}

/** The keys of an atomic command (or transaction) hash to different slots. Raised before sending. */
export class CrossSlotError extends RedisClusterError {
  readonly code = 'ERR_REDIS_CROSSSLOT';
  /** The distinct slots the keys hash to. */
  readonly slots: readonly number[];

  constructor(command: string, slots: readonly number[]) {
    super(`${command}: keys hash to different slots (${slots.join(', ')}); use a hash tag such as {user1}`);
    this.slots = slots;
  }
}

/** A WATCHed key changed, so EXEC aborted the transaction (EXEC replied null). */
export class WatchError extends RedisClusterError {
  readonly code = 'ERR_REDIS_WATCH';

  constructor(message = 'EXEC aborted: a watched key was modified') {
    super(message);
  }
}

/** A command timed out while its node was in a maintenance window (its deadline had been relaxed). */
export class CommandTimeoutDuringMaintenanceError extends CommandTimeoutError {
  override readonly code = 'ERR_REDIS_COMMAND_TIMEOUT_DURING_MAINTENANCE';
}

/**
 * The command changes the state of the connection it runs on (SUBSCRIBE, MONITOR, MULTI, WATCH,
 * CLIENT REPLY, RESET…), which would corrupt a shared multiplexed connection; the message names the
 * API to use instead. Raised before sending.
 */
export class UnsupportedCommandError extends RedisClusterError {
  readonly code = 'ERR_REDIS_UNSUPPORTED_COMMAND';
}

/**
 * The describable kind of a rejected argument: its `typeof`, refined for the values that pass a
 * typeof check but cannot be sent (`null`, `NaN`, `Infinity`, arrays, class instances). Never the value.
 */
export function describeArgumentKind(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return Number.isInteger(value) ? 'integer' : 'number';
  }
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
    const name = proto?.constructor?.name;
    return proto === null || proto === Object.prototype || typeof name !== 'string' || name === '' ? 'object' : `${name} instance`;
  }
  return typeof value;
}

/**
 * An argument of a command is not something that can be sent (`undefined`, `null`, an object, a
 * Symbol, `NaN`, `Infinity`, a non-array key list, an empty command...). Raised when the command is
 * issued, before anything is written: the call's promise rejects with it and nothing else on the
 * connection is affected. The message names the command, the argument (position and, when known,
 * its name) and the expected type, and the kind that was given, never the value itself.
 */
export class ArgumentError extends RedisClusterError {
  readonly code = 'ERR_REDIS_ARGUMENT';
  /** The command (or API) the argument belongs to, upper-case for commands: `SET`, `sendCommand`. */
  readonly command: string;
  /**
   * Where the argument is: a 0-based index into the caller's argument list (`0` is the first
   * argument of the method, or the command name for `sendCommand`), or a dotted option path
   * such as `options.EX`.
   */
  readonly position: number | string;
  /** What was expected, e.g. `string, Buffer or finite number`. */
  readonly expected: string;
  /** The kind of value given (see {@link describeArgumentKind}), never the value. */
  readonly received: string;

  constructor(command: string, position: number | string, expected: string, received: string, argumentName?: string) {
    const where = typeof position === 'number' ? `argument ${position}${argumentName ? ` (${argumentName})` : ''}` : `"${position}"`;
    super(`${command}: ${where} must be ${expected} (got ${received})`);
    this.command = command;
    this.position = position;
    this.expected = expected;
    this.received = received;
  }
}
