import { ArgumentError, describeArgumentKind } from '../errors/base.error.js';
import { checkArguments, SENDABLE } from '../resp/argument-check.js';
import type { RedisArgument } from '../resp/types.js';
import type { CommandDefinition } from './command-definition.js';

/**
 * Validation at the typed-command boundary (the one place every typed command goes through).
 *
 * `buildCommand(def, args)` runs the definition's `build`, then one {@link checkArguments} pass over
 * the argv it produced; it returns the argv, or the {@link ArgumentError} to reject the call with.
 * It never throws, whatever `args` holds (getters that throw, proxies, Symbols, BigInt…), and
 * costs one try block and one `typeof` per argv entry on the hot path. Only when something is
 * wrong does it work out which method argument was at fault (an index, or a dotted option path
 * such as `options.EX`).
 *
 * A definition's `build` may throw an `ArgumentError` itself for shape rules the argv pass cannot
 * see (an odd MSET list, an options argument that is not an object…); any other throw is turned
 * into an ArgumentError naming the most likely argument. So adding a command is: write `build`
 * with the types, throw `ArgumentError` for shape rules specific to it, nothing else.
 */

/** Returned by {@link buildCommand} when the arguments cannot be sent. */
export type BuildResult = RedisArgument[] | ArgumentError;

/** Method names of the definitions, for errors raised before a command name is known. */
const METHOD_NAMES = new WeakMap<object, string>();

/** Records the method name a definition is installed as (done by installCommands). @internal */
export function nameDefinition(def: object, method: string): void {
  if (!METHOD_NAMES.has(def)) METHOD_NAMES.set(def, method);
}

/** Builds and checks the argv of one typed command call. Never throws. */
export function buildCommand(def: CommandDefinition, args: readonly unknown[]): BuildResult {
  try {
    // A value no argument can be (null, NaN, a Symbol…) is refused even where build would ignore it
    // (`flushAll(null)` must not flush with the default mode).
    for (let j = 0; j < args.length; j++) {
      if (isSuspicious(args[j])) return new ArgumentError(commandLabel(def, undefined), j, 'a value of the documented type', describeArgumentKind(args[j]), parameterNames(def.build)[j]);
    }
    let argv: RedisArgument[];
    try {
      argv = def.build(...args);
    } catch (error) {
      if (error instanceof ArgumentError) return error;
      return shapeError(def, args);
    }
    const bad = checkArguments(argv);
    if (bad === undefined) return argv;
    return locateError(def, args, argv, bad);
  } catch {
    // A hostile value (a proxy whose traps throw) broke even the diagnosis.
    return new ArgumentError(commandLabel(def, undefined), 'arguments', 'plain strings, Buffers, finite numbers or plain option objects', 'a value that throws when read');
  }
}

/**
 * A caller's raw argument list (sendCommand, addCommand) copied, then checked with
 * {@link checkArguments}: the copy is what gets sent, so changing the caller's array afterwards
 * (or a Proxy answering differently on a second read) cannot slip an unchecked value through.
 * Returns the copy or the ArgumentError. Never throws.
 */
export function copyArgv(args: unknown, command?: string): RedisArgument[] | ArgumentError {
  try {
    if (!Array.isArray(args)) return checkArguments(args, command)!;
    // One pass: one read per index (a Proxy's traps run once each), checked as it is copied into
    // a plain array; the full check (and its error) only when an entry is not sendable.
    const count = args.length;
    const copy: RedisArgument[] = [];
    for (let i = 0; i < count; i++) {
      const arg: unknown = (args as unknown[])[i];
      if (typeof arg === 'string' || (typeof arg === 'number' && arg - arg === 0) || Buffer.isBuffer(arg)) copy.push(arg as RedisArgument);
      else return checkArguments([...copy, arg], command)!;
    }
    return count === 0 ? checkArguments(copy, command)! : copy;
  } catch {
    return new ArgumentError(command ?? 'sendCommand', 0, 'an array of strings, Buffers or finite numbers', 'a value that throws when read', 'args');
  }
}

/** `keys` of a keys-only call (WATCH, script keys): each one sendable; never throws. */
export function checkKeyList(keys: unknown, command: string, position: number | string, allowEmpty: boolean): ArgumentError | undefined {
  try {
    if (!Array.isArray(keys)) return new ArgumentError(command, position, 'an array of keys', describeArgumentKind(keys));
    if (keys.length === 0) return allowEmpty ? undefined : new ArgumentError(command, position, 'at least one key', 'empty array');
    for (let i = 0; i < keys.length; i++) {
      const key: unknown = keys[i];
      if (!isSendable(key)) return new ArgumentError(command, typeof position === 'number' ? position + i : `${position}[${i}]`, SENDABLE, describeArgumentKind(key));
    }
    return undefined;
  } catch {
    return new ArgumentError(command, position, 'an array of keys', 'a value that throws when read');
  }
}

/** A string, Buffer or finite number. Never throws (a hostile proxy is not sendable). */
export function isSendable(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (typeof value === 'number') return value - value === 0;
  try {
    return Buffer.isBuffer(value);
  } catch {
    return false;
  }
}

/** The Redis command a definition sends, for errors (error path only). */
function commandLabel(def: CommandDefinition, argv: readonly RedisArgument[] | undefined): string {
  const first = argv?.[0];
  if (typeof first === 'string') return first.toUpperCase();
  return commandNameInSource(def.build) ?? METHOD_NAMES.get(def) ?? 'command';
}

const SOURCE_NAMES = new WeakMap<object, string | null>();

/** The first upper-case string literal of a build function (`'SET'` in `['SET', key, value]`); cached. */
function commandNameInSource(fn: (...args: never[]) => unknown): string | undefined {
  let name = SOURCE_NAMES.get(fn);
  if (name === undefined) {
    try {
      name = /['"]([A-Z][A-Z_]*)['"]/.exec(Function.prototype.toString.call(fn))?.[1] ?? null;
    } catch {
      name = null;
    }
    SOURCE_NAMES.set(fn, name);
  }
  return name ?? undefined;
}

/** checkArguments found argv[index] unsendable: name the method argument it came from. */
function locateError(def: CommandDefinition, args: readonly unknown[], argv: readonly RedisArgument[], bad: ArgumentError): ArgumentError {
  const command = commandLabel(def, argv);
  const index = typeof bad.position === 'number' ? bad.position : 0;
  if (index === 0) return new ArgumentError(command, 'command', 'a command name', bad.received);
  const value: unknown = argv[index];
  const names = parameterNames(def.build);
  // 1. The argument itself.
  for (let j = 0; j < args.length; j++) if (Object.is(args[j], value)) return new ArgumentError(command, j, SENDABLE, bad.received, names[j]);
  // 2. An element of a list argument, or a field of an object argument (one or two levels down).
  for (let j = 0; j < args.length; j++) {
    const arg = args[j];
    if (Array.isArray(arg)) {
      if (containsDeep(arg, value, 1)) return new ArgumentError(command, j, `a list of ${SENDABLE}`, bad.received, names[j]);
    } else if (isObject(arg) && !Buffer.isBuffer(arg)) {
      const field = fieldHolding(arg, value);
      if (field !== undefined) return objectError(command, j, names[j], field, bad.received);
    }
  }
  // 3. Derived from an argument (an invalid Date becomes NaN…): the first suspicious one.
  const suspect = firstSuspicious(args);
  if (suspect !== undefined) return new ArgumentError(command, suspect, 'a valid value of the documented type', describeArgumentKind(args[suspect]), names[suspect]);
  return new ArgumentError(command, 'arguments', SENDABLE, bad.received);
}

/** An option object's field: `options.EX` for option parameters, else the argument index only (field names of data maps are data). */
function objectError(command: string, j: number, name: string | undefined, field: string, received: string): ArgumentError {
  if (name !== undefined && /option/i.test(name) && /^[A-Za-z_$][\w$]{0,31}$/.test(field)) {
    return new ArgumentError(command, `${name}.${field}`, SENDABLE, received);
  }
  return new ArgumentError(command, j, `values of ${SENDABLE}`, received, name);
}

/** build threw (a shape it could not handle): name the most likely argument. */
function shapeError(def: CommandDefinition, args: readonly unknown[]): ArgumentError {
  const command = commandLabel(def, undefined);
  const names = parameterNames(def.build);
  const suspect = firstSuspicious(args);
  if (suspect !== undefined) return new ArgumentError(command, suspect, 'a value of the documented type', describeArgumentKind(args[suspect]), names[suspect]);
  for (let j = 0; j < args.length; j++) {
    const name = names[j];
    const arg = args[j];
    if (name !== undefined && /option/i.test(name) && arg !== undefined && (!isObject(arg) || Array.isArray(arg))) {
      return new ArgumentError(command, j, 'an options object', describeArgumentKind(arg), name);
    }
  }
  const required = Math.max(def.build.length, 1);
  for (let j = 0; j < required; j++) {
    if (args[j] === undefined) return new ArgumentError(command, j, 'a value (this argument is required)', 'undefined', names[j]);
  }
  for (let j = 0; j < args.length; j++) {
    if (isObject(args[j])) return new ArgumentError(command, j, 'a value of the documented shape', describeArgumentKind(args[j]), names[j]);
  }
  return new ArgumentError(command, 'arguments', 'arguments of the documented types', args.map((a) => describeArgumentKind(a)).join(', '));
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** Values that no command argument can be, at any depth. */
function isSuspicious(value: unknown): boolean {
  switch (typeof value) {
    case 'symbol':
    case 'bigint':
    case 'function':
      return true;
    case 'number':
      return !(value - value === 0);
    case 'object':
      return value === null || (value instanceof Date && Number.isNaN(value.getTime()));
    default:
      return false;
  }
}

function firstSuspicious(args: readonly unknown[]): number | undefined {
  for (let j = 0; j < args.length; j++) if (isSuspicious(args[j])) return j;
  return undefined;
}

function containsDeep(list: readonly unknown[], value: unknown, depth: number): boolean {
  for (const item of list) {
    if (Object.is(item, value)) return true;
    if (depth > 0 && Array.isArray(item) && containsDeep(item, value, depth - 1)) return true;
    if (depth > 0 && isObject(item) && !Array.isArray(item) && !Buffer.isBuffer(item) && fieldHolding(item, value) !== undefined) return true;
  }
  return false;
}

/** The own field of `object` that holds `value` (directly or in a list or object one level down). */
function fieldHolding(object: object, value: unknown): string | undefined {
  const record = object as Record<string, unknown>;
  const fields = object instanceof Map ? [...(object as Map<unknown, unknown>).entries()] : Object.keys(record).map((k) => [k, record[k]] as const);
  for (const [field, inner] of fields) {
    if (Object.is(field, value) || Object.is(inner, value)) return String(field);
    if (Array.isArray(inner) && inner.some((x) => Object.is(x, value))) return String(field);
    if (isObject(inner) && !Array.isArray(inner) && !Buffer.isBuffer(inner) && Object.values(inner).some((x) => Object.is(x, value))) return String(field);
  }
  return undefined;
}

const PARAMETER_NAMES = new WeakMap<object, Array<string | undefined>>();

/** Parameter names of a build function, read from its source (error path only; cached). */
function parameterNames(fn: (...args: never[]) => unknown): Array<string | undefined> {
  let names = PARAMETER_NAMES.get(fn);
  if (names) return names;
  names = [];
  try {
    const source = Function.prototype.toString.call(fn);
    let head: string | undefined;
    const simple = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(source);
    if (simple) head = simple[1];
    else {
      const open = source.indexOf('(');
      const close = source.indexOf(')', open + 1);
      if (open >= 0 && close > open) head = source.slice(open + 1, close);
    }
    if (head !== undefined && !/[{[]/.test(head)) {
      names = head.split(',').map((part) => {
        const name = part.trim().replace(/^\.\.\./, '').split(/[\s=:]/)[0];
        return name && /^[A-Za-z_$][\w$]*$/.test(name) ? name : undefined;
      });
    }
  } catch {
    names = [];
  }
  PARAMETER_NAMES.set(fn, names);
  return names;
}
