import { types } from 'node:util';

/**
 * Injective encodings of method arguments into cache-key text (pure, no I/O).
 *
 * - {@link canonicalValue}: the default key's argument part. Type-tagged (`1` vs `"1"` vs `1n`,
 *   `null` vs `undefined`, an array hole vs `undefined`), content-based for Date, Map, Set, RegExp,
 *   Buffer and typed arrays, object keys sorted, and brace-free (a `{…}` would become a Redis
 *   Cluster hash tag).
 * - {@link templatePart}: one `{placeholder}` of a key template. Strings keep the characters
 *   `A-Z a-z 0-9 _ . -` and percent-encode every other one, so they never contain a template's
 *   separator; other types are `~`-tagged (`~n42`, `~b42`, `~true`, `~null`, `~d<epoch ms>`,
 *   `~j<canonical>`), so `'42'` and `42` differ.
 * @internal
 */

/** A value that cannot be part of a key; the call bypasses the cache. @internal */
export class CacheKeyError extends Error {
  override readonly name = 'CacheKeyError';
}

const SAFE = /^[A-Za-z0-9_.-]*$/;
/** Characters a template part may contain (the separator between two placeholders needs another one). @internal */
export const PART_ALPHABET = /^[A-Za-z0-9_.\-%~]*$/;

function hex2(code: number): string {
  return `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Percent-encodes every character outside `A-Z a-z 0-9 _ . -` (UTF-8; a lone surrogate as `%uXXXX`). @internal */
export function escapePart(text: string): string {
  if (SAFE.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (/[A-Za-z0-9_.-]/.test(ch)) {
      out += ch;
      continue;
    }
    const code = text.charCodeAt(i);
    let char = ch;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        char = text.slice(i, i + 2);
        i++;
      }
    }
    if (char.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      out += `%u${code.toString(16).toUpperCase()}`;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) out += hex2(byte);
  }
  return out;
}

/** JSON string literal with braces escaped (`\u007b`, `\u007d`) so that no hash tag appears. */
function quote(text: string): string {
  return JSON.stringify(text).replace(/[{}]/g, (brace) => (brace === '{' ? '\\u007b' : '\\u007d'));
}

function numberText(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

function bytesOf(view: ArrayBufferView): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === null || proto === Object.prototype) return true;
  // A plain object of another realm: its prototype is that realm's Object.prototype.
  return Object.getPrototypeOf(proto) === null && (proto as { constructor?: { name?: string } }).constructor?.name === 'Object';
}

/**
 * The canonical, injective text of a value (see the module comment). Throws CacheKeyError for
 * Symbols, functions, cycles, and class instances with neither enumerable fields nor `toJSON`.
 * @internal
 */
export function canonicalValue(value: unknown): string {
  try {
    return encode(value, new Set());
  } catch (error) {
    if (error instanceof CacheKeyError) throw error;
    throw new CacheKeyError(`an argument cannot be encoded into a cache key (${error instanceof RangeError ? 'nested too deeply' : 'unsupported value'})`);
  }
}

function encode(value: unknown, path: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return numberText(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'symbol':
      throw new CacheKeyError('a Symbol argument cannot be part of a cache key');
    case 'function':
      throw new CacheKeyError('a function argument cannot be part of a cache key');
  }
  if (value === null) return 'null';
  const object = value as object;
  if (path.has(object)) throw new CacheKeyError('a cyclic argument cannot be part of a cache key');
  path.add(object);
  try {
    return encodeObject(object, path);
  } finally {
    path.delete(object);
  }
}

function encodeObject(value: object, path: Set<object>): string {
  if (Array.isArray(value)) {
    // A hole is written `~hole` (no value encodes as that), not as nothing: `[,]` (length 1) would
    // otherwise encode like `[]`, and a hole stays apart from an `undefined` item.
    const items: string[] = [];
    for (let i = 0; i < value.length; i++) items.push(i in value ? encode(value[i], path) : '~hole');
    return `[${items.join(',')}]`;
  }
  // util.types rather than instanceof: values from another realm (vm, worker clones) count too.
  if (types.isDate(value)) return `Date(${Number.isNaN(value.getTime()) ? 'NaN' : value.getTime()})`;
  if (Buffer.isBuffer(value)) return `Buffer(${bytesOf(value)})`;
  if (ArrayBuffer.isView(value)) return `${Object.prototype.toString.call(value).slice(8, -1)}(${bytesOf(value)})`;
  if (types.isAnyArrayBuffer(value)) return `${Object.prototype.toString.call(value).slice(8, -1)}(${Buffer.from(value).toString('base64')})`;
  if (types.isMap(value)) {
    const entries = [...(value as Map<unknown, unknown>)].map(([k, v]) => `${encode(k, path)}=>${encode(v, path)}`).sort();
    return `Map(${entries.join(',')})`;
  }
  if (types.isSet(value)) return `Set(${[...(value as Set<unknown>)].map((member) => encode(member, path)).sort().join(',')})`;
  if (types.isRegExp(value)) return `RegExp(${quote(value.source)},${value.flags})`;
  if (types.isBoxedPrimitive(value)) return `Boxed(${encode((value as { valueOf(): unknown }).valueOf(), path)})`;
  const plain = isPlainObject(value);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (!plain && typeof toJSON === 'function') return `toJSON(${encode((toJSON as () => unknown).call(value), path)})`;
  const keys = Object.keys(value).sort();
  if (!plain && keys.length === 0) {
    throw new CacheKeyError('an instance of a class with no enumerable fields and no toJSON() cannot be part of a cache key');
  }
  const fields = keys.map((key) => `${quote(key)}:${encode((value as Record<string, unknown>)[key], path)}`);
  return `(${fields.join(',')})`;
}

/**
 * One template placeholder's text (see the module comment). Throws CacheKeyError for
 * `undefined` (the call bypasses the cache instead of sharing a key with every other
 * `undefined`) and for what {@link canonicalValue} refuses.
 * @internal
 */
export function templatePart(value: unknown, expression: string): string {
  switch (typeof value) {
    case 'string':
      return escapePart(value);
    case 'number':
      return `~n${escapePart(numberText(value))}`;
    case 'bigint':
      return `~b${value}`;
    case 'boolean':
      return value ? '~true' : '~false';
    case 'undefined':
      throw new CacheKeyError(`the key placeholder {${expression}} is undefined for this call`);
  }
  if (value === null) return '~null';
  if (types.isDate(value)) return `~d${Number.isNaN(value.getTime()) ? 'NaN' : value.getTime()}`;
  return `~j${escapePart(canonicalValue(value))}`;
}
