import { ArgumentError, describeArgumentKind } from '../errors/base.error.js';

/** What every argument sent to Redis must be. */
export const SENDABLE = 'a string, Buffer or finite number';

/**
 * Checks that `args` is a non-empty array of sendable arguments (string, Buffer, finite number).
 * Returns the error to reject the call with, or `undefined`; never throws. Cheap enough for the hot
 * path (one typeof per argument). `command` names the call in the error (defaults to the first
 * argument when it is a string); `offset` is added to reported positions, for argvs built from a
 * method's own arguments after a fixed prefix.
 */
export function checkArguments(args: unknown, command?: string, offset = 0): ArgumentError | undefined {
  try {
    return check(args, command, offset);
  } catch {
    // A Proxy whose traps throw (or a getter on an array-like): not something that can be sent.
    return new ArgumentError(command ?? 'sendCommand', 0, 'an array of arguments', 'unreadable value', 'args');
  }
}

function check(args: unknown, command: string | undefined, offset: number): ArgumentError | undefined {
  if (!Array.isArray(args)) {
    return new ArgumentError(command ?? 'sendCommand', 0, 'an array of arguments', describeArgumentKind(args), 'args');
  }
  const count = args.length;
  if (count === 0) return new ArgumentError(command ?? 'sendCommand', 0, 'a non-empty array (the command name first)', 'empty array', 'args');
  for (let i = 0; i < count; i++) {
    const arg: unknown = args[i];
    if (typeof arg === 'string') continue;
    if (typeof arg === 'number' && arg - arg === 0) continue; // finite (NaN - NaN and Inf - Inf are NaN)
    if (Buffer.isBuffer(arg)) continue;
    const name = command ?? (typeof args[0] === 'string' ? (args[0] as string).toUpperCase() : 'sendCommand');
    return new ArgumentError(name, i + offset, SENDABLE, describeArgumentKind(arg));
  }
  return undefined;
}
