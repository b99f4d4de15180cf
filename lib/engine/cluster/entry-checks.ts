import { checkKeyList } from '../commands/validate-command.js';
import type { WaitCall } from '../commands/wait-call.js';
import type { ClusterCommandOptions } from './command-executor.js';
import { ArgumentError, describeArgumentKind } from '../errors/base.error.js';

/**
 * Runs the body of an async public entry point so that nothing it throws synchronously escapes:
 * a throw becomes the returned promise's rejection.
 * @internal
 */
export function settle<T>(body: () => Promise<T>): Promise<T> {
  try {
    return body();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Checks `runScript`'s script and `{ keys, arguments }`; the error to reject with, or undefined. Never throws. @internal */
export function checkScriptCall(script: unknown, call: unknown): ArgumentError | undefined {
  try {
    const s = script as { script?: unknown; sha1?: unknown } | null;
    if (typeof s !== 'object' || s === null || typeof s.script !== 'string' || typeof s.sha1 !== 'string') {
      return new ArgumentError('runScript', 0, 'a RedisScript from defineScript() or the name of a configured script', describeArgumentKind(script), 'script');
    }
    if (call === undefined) return undefined;
    if (typeof call !== 'object' || call === null || Array.isArray(call)) return new ArgumentError('runScript', 1, 'a { keys, arguments } object', describeArgumentKind(call), 'call');
    const { keys, arguments: args } = call as { keys?: unknown; arguments?: unknown };
    if (keys !== undefined) {
      const bad = checkKeyList(keys, 'runScript', 'call.keys', true);
      if (bad) return bad;
    }
    if (args !== undefined) {
      const bad = checkKeyList(args, 'runScript', 'call.arguments', true);
      if (bad) return new ArgumentError('runScript', bad.position, bad.expected.replace('keys', 'arguments'), bad.received);
    }
    return undefined;
  } catch {
    return new ArgumentError('runScript', 1, 'a plain { keys, arguments } object', 'a value that throws when read', 'call');
  }
}

/** A node given by address (`host:port`) or as a topology entry. Never throws. @internal */
export function isNodeRef(node: unknown): boolean {
  if (typeof node === 'string') return node.lastIndexOf(':') > 0;
  try {
    return typeof node === 'object' && node !== null && typeof (node as { address?: unknown }).address === 'string';
  } catch {
    return false;
  }
}

/** An integer hash slot, 0 to 16383. @internal */
export function isSlot(slot: unknown): slot is number {
  return typeof slot === 'number' && Number.isInteger(slot) && slot >= 0 && slot < 16384;
}

/** Routing of a WAIT/WAITAOF: the key's master, its main connection, deadline = wait + commandTimeout (0: none). @internal */
export function waitOptions(call: WaitCall, commandTimeout: number): ClusterCommandOptions {
  return { slot: call.slot, master: true, timeout: commandTimeout > 0 ? call.timeoutMs + commandTimeout : 0 };
}

/** The per-command options a caller may give (the other fields of ClusterCommandOptions are the engine's own). */
export type CallerCommandOptions = Pick<ClusterCommandOptions, 'timeout' | 'returnBuffers' | 'master'>;

/**
 * Checks the per-command options a caller passed and copies the public ones (`timeout`,
 * `returnBuffers`, `master`), each read once: the engine's own fields (`node`, `slot`, `deadline`,
 * `observer`) are never taken from a caller, and a getter cannot return one value to the check and
 * another to the command. Returns the copy (undefined when none was given) or an ArgumentError;
 * a NaN or negative `timeout` would otherwise mean "no deadline". Never throws. @internal
 */
export function callerCommandOptions(options: unknown, command: string, position: number): CallerCommandOptions | ArgumentError | undefined {
  if (options === undefined) return undefined;
  try {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      return new ArgumentError(command, position, 'an options object', describeArgumentKind(options), 'options');
    }
    const { timeout, returnBuffers, master } = options as { timeout?: unknown; returnBuffers?: unknown; master?: unknown };
    if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0 && timeout - timeout === 0)) {
      return new ArgumentError(command, 'options.timeout', 'a finite number of milliseconds from 0', describeArgumentKind(timeout));
    }
    if (returnBuffers !== undefined && typeof returnBuffers !== 'boolean') {
      return new ArgumentError(command, 'options.returnBuffers', 'a boolean', describeArgumentKind(returnBuffers));
    }
    if (master !== undefined && typeof master !== 'boolean') {
      return new ArgumentError(command, 'options.master', 'a boolean', describeArgumentKind(master));
    }
    const copy: CallerCommandOptions = {};
    if (timeout !== undefined) copy.timeout = timeout;
    if (returnBuffers !== undefined) copy.returnBuffers = returnBuffers;
    if (master !== undefined) copy.master = master;
    return copy;
  } catch {
    return new ArgumentError(command, position, 'a plain options object', 'a value that throws when read', 'options');
  }
}

/**
 * Checks the arguments of subscribe/pSubscribe/sSubscribe (and, with `optional`, their
 * unsubscribe counterparts): names are a non-empty string or a non-empty array of strings, the
 * listener a function (optional when unsubscribing), bufferMode a boolean when given.
 * @internal
 */
export function checkSubscription(api: string, names: unknown, listener: unknown, bufferMode: unknown, optional: boolean): ArgumentError | undefined {
  try {
    return subscriptionProblem(api, names, listener, bufferMode, optional);
  } catch {
    // A Proxy whose traps throw: nothing that can be subscribed to.
    return new ArgumentError(api, 0, 'a string or an array of strings', 'unreadable value', 'channels');
  }
}

function subscriptionProblem(api: string, names: unknown, listener: unknown, bufferMode: unknown, optional: boolean): ArgumentError | undefined {
  if (!(optional && names === undefined)) {
    if (typeof names === 'string') {
      if (names === '') return new ArgumentError(api, 0, 'a non-empty string or array of strings', 'empty string', 'channels');
    } else if (Array.isArray(names)) {
      if (names.length === 0) return new ArgumentError(api, 0, 'a non-empty string or array of strings', 'empty array', 'channels');
      for (let i = 0; i < names.length; i++) {
        if (typeof names[i] !== 'string') return new ArgumentError(api, `channels[${i}]`, 'a string', describeArgumentKind(names[i]));
      }
    } else return new ArgumentError(api, 0, 'a string or an array of strings', describeArgumentKind(names), 'channels');
  }
  if (!(optional && listener === undefined) && typeof listener !== 'function') return new ArgumentError(api, 1, 'a function', describeArgumentKind(listener), 'listener');
  if (bufferMode !== undefined && typeof bufferMode !== 'boolean') return new ArgumentError(api, 2, 'a boolean', describeArgumentKind(bufferMode), 'bufferMode');
  return undefined;
}
