/**
 * RESP2/RESP3 frame builders for tests and the scripted fake server. Every builder returns the exact bytes of one
 * frame as a Buffer; aggregate builders take already-built frames, so any shape (including wrong ones) can be made.
 *
 *   array([bulk('a'), integer(1)])  -> *2\r\n$1\r\na\r\n:1\r\n
 *   map([[bulk('k'), bulk('v')]])   -> %1\r\n$1\r\nk\r\n$1\r\nv\r\n
 *   push([bulk('invalidate'), array([bulk('k')])])
 *
 * `encode(value, protocol)` turns plain JS values into frames (string -> bulk, number -> integer, null -> null,
 * arrays -> array, Map / plain object -> map in RESP3, flat array in RESP2).
 */

export type Frame = Buffer;

const CRLF = '\r\n';

function line(prefix: string, body: string | number | bigint): Buffer {
  return Buffer.from(`${prefix}${body}${CRLF}`);
}

function lengthPrefixed(prefix: string, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${prefix}${payload.length}${CRLF}`), payload, Buffer.from(CRLF)]);
}

function aggregate(prefix: string, items: readonly Frame[]): Buffer {
  return Buffer.concat([line(prefix, items.length), ...items]);
}

/** `+text` (must not contain CR/LF). */
export function simple(text: string): Frame {
  return line('+', text);
}

/** `-message`, e.g. error('MOVED 3999 127.0.0.1:6381'). */
export function error(message: string): Frame {
  return line('-', message);
}

/** `:n` */
export function integer(n: number | bigint): Frame {
  return line(':', typeof n === 'number' ? Math.trunc(n) : n);
}

/** `$len payload`; null gives the RESP2 null bulk `$-1` (use nul() for RESP3 `_`). */
export function bulk(value: string | Buffer | null): Frame {
  if (value === null) return Buffer.from(`$-1${CRLF}`);
  return lengthPrefixed('$', typeof value === 'string' ? Buffer.from(value) : value);
}

/** `*n items`; null gives the RESP2 null array `*-1`. */
export function array(items: readonly Frame[] | null): Frame {
  if (items === null) return Buffer.from(`*-1${CRLF}`);
  return aggregate('*', items);
}

/** `%n k v ...` from [key, value] frame pairs, or from a record of string keys (encoded as bulk) to frames. */
export function map(entries: ReadonlyArray<readonly [Frame, Frame]> | Record<string, Frame>): Frame {
  const pairs: Array<readonly [Frame, Frame]> = Array.isArray(entries)
    ? [...(entries as ReadonlyArray<readonly [Frame, Frame]>)]
    : Object.entries(entries as Record<string, Frame>).map(([k, v]) => [bulk(k), v] as const);
  return Buffer.concat([line('%', pairs.length), ...pairs.flatMap(([k, v]) => [k, v])]);
}

/** `|n k v ...` attribute frame (it precedes the reply it annotates). */
export function attribute(entries: ReadonlyArray<readonly [Frame, Frame]> | Record<string, Frame>): Frame {
  const m = map(entries);
  m[0] = 0x7c; // '|'
  return m;
}

/** `~n items` */
export function set(items: readonly Frame[]): Frame {
  return aggregate('~', items);
}

/** `>n items`, e.g. push([bulk('invalidate'), array([bulk('key')])]). */
export function push(items: readonly Frame[]): Frame {
  return aggregate('>', items);
}

/** `,1.5` (also inf, -inf, nan). */
export function double(n: number): Frame {
  if (Number.isNaN(n)) return line(',', 'nan');
  if (n === Infinity) return line(',', 'inf');
  if (n === -Infinity) return line(',', '-inf');
  return line(',', String(n));
}

/** `#t` / `#f` */
export function boolean(b: boolean): Frame {
  return line('#', b ? 't' : 'f');
}

/** RESP3 null `_` */
export function nul(): Frame {
  return Buffer.from(`_${CRLF}`);
}

/** `(3492890328409238509324850943850943825024385` */
export function bigNumber(n: bigint | string): Frame {
  return line('(', n);
}

/** `=len fmt:text`, format is exactly 3 characters (txt, mkd). */
export function verbatim(text: string | Buffer, format = 'txt'): Frame {
  if (format.length !== 3) throw new Error('verbatim format must be 3 characters');
  return lengthPrefixed('=', Buffer.concat([Buffer.from(`${format}:`), typeof text === 'string' ? Buffer.from(text) : text]));
}

/** `!len message` (RESP3 blob error). */
export function bulkError(message: string | Buffer): Frame {
  return lengthPrefixed('!', typeof message === 'string' ? Buffer.from(message) : message);
}

/** Concatenates frames (e.g. a push followed by a reply, written in one chunk). */
export function concat(...frames: Frame[]): Buffer {
  return Buffer.concat(frames);
}

/** The RESP2 encoding of a command, as a client sends it: *n $len arg ... */
export function command(...args: Array<string | Buffer | number>): Buffer {
  return array(args.map((a) => bulk(typeof a === 'number' ? String(a) : a)));
}

export type EncodableValue =
  | string
  | Buffer
  | number
  | bigint
  | boolean
  | null
  | undefined
  | Error
  | readonly EncodableValue[]
  | Map<EncodableValue, EncodableValue>
  | { [key: string]: EncodableValue };

/**
 * Encodes a JS value for the given protocol. Strings and Buffers become bulk strings, integers become `:`,
 * non-integers `,` (RESP3) or bulk (RESP2), bigint `(` / bulk, booleans `#` / `:1`/`:0`, null/undefined `_` / `$-1`,
 * Error `-message`, arrays `*`, Map and plain objects `%` (RESP3) or a flat `*` of alternating keys/values (RESP2).
 */
export function encode(value: EncodableValue, protocol: 2 | 3 = 2): Frame {
  if (value === null || value === undefined) return protocol === 3 ? nul() : bulk(null);
  if (typeof value === 'string' || Buffer.isBuffer(value)) return bulk(value);
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return integer(value);
    return protocol === 3 ? double(value) : bulk(String(value));
  }
  if (typeof value === 'bigint') return protocol === 3 ? bigNumber(value) : bulk(String(value));
  if (typeof value === 'boolean') return protocol === 3 ? boolean(value) : integer(value ? 1 : 0);
  if (value instanceof Error) return error(value.message);
  if (Array.isArray(value)) return array(value.map((v: EncodableValue) => encode(v, protocol)));
  const entries: Array<[EncodableValue, EncodableValue]> =
    value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, EncodableValue>);
  if (protocol === 3) return map(entries.map(([k, v]) => [encode(k, 3), encode(v, 3)] as const));
  return array(entries.flatMap(([k, v]) => [encode(k, 2), encode(v, 2)]));
}
