import calculateSlot from 'cluster-key-slot';
import type { RedisArgument } from '../resp/types.js';
import { numberText } from '../resp/number-text.js';

/** Number of hash slots in a Redis Cluster. */
export const SLOT_COUNT = 16384;

export { numberText };

/**
 * The hash slot of a key: CRC16 (XMODEM) of the key, or of its hash tag (the text between the
 * first `{` and the next `}` when that text is not empty), modulo 16384.
 * Strings are hashed as UTF-8; Buffers byte for byte; numbers as the decimal text they are sent as.
 */
export function keySlot(key: RedisArgument): number {
  if (typeof key === 'string') return asciiSlot(key) ?? calculateSlot(key);
  return calculateSlot(typeof key === 'number' ? numberText(key) : key);
}

/** CRC16-CCITT (XMODEM) table, as Redis uses it. */
const CRC16 = new Uint16Array(256);
for (let n = 0; n < 256; n++) {
  let crc = n << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  CRC16[n] = crc;
}

/**
 * Fast path for the common case of an all-ASCII string key: hashes its char codes directly
 * (no UTF-8 array per call); undefined for non-ASCII keys, which take the library's path.
 */
function asciiSlot(key: string): number | undefined {
  const length = key.length;
  let open = -1;
  for (let i = 0; i < length; i++) {
    const code = key.charCodeAt(i);
    if (code > 0x7f) return undefined;
    if (open < 0 && code === 0x7b) open = i;
  }
  let start = 0;
  let end = length;
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) crc = (CRC16[((crc >> 8) ^ key.charCodeAt(i)) & 0xff]! ^ (crc << 8)) & 0xffff;
  return crc & 0x3fff;
}

/** The distinct slots of `keys`, in order of first appearance (empty for no keys). */
export function slotsOf(keys: readonly RedisArgument[]): number[] {
  const slots: number[] = [];
  for (const key of keys) {
    const slot = keySlot(key);
    if (!slots.includes(slot)) slots.push(slot);
  }
  return slots;
}

/**
 * The slot every key hashes to; `-1` when they hash to different slots; `undefined` for no keys.
 */
export function commonSlot(keys: readonly RedisArgument[]): number | undefined {
  if (keys.length === 0) return undefined;
  const first = keySlot(keys[0]!);
  for (let i = 1; i < keys.length; i++) {
    if (keySlot(keys[i]!) !== first) return -1;
  }
  return first;
}

/**
 * Groups the entries of a split multi-key command by slot, for `split` policies. `args` are the
 * command's arguments after its name (e.g. `k1 v1 k2 v2` for MSET); each entry is `step` items
 * long and starts with its key. Returns, per slot (in order of first appearance), the indexes of
 * the entries (entry `i` covers `args[i * step]` … `args[i * step + step - 1]`). Never drops an
 * argument: a length that is not a multiple of `step` is a RangeError (callers check it first).
 */
export function groupBySlot(args: readonly RedisArgument[], step = 1): Map<number, number[]> {
  if (!Number.isInteger(step) || step < 1) throw new RangeError(`step must be a positive integer, got ${step}`);
  if (args.length % step !== 0) throw new RangeError(`${args.length} arguments do not make whole entries of ${step}`);
  const groups = new Map<number, number[]>();
  const count = args.length / step;
  for (let entry = 0; entry < count; entry++) {
    const slot = keySlot(args[entry * step]!);
    const list = groups.get(slot);
    if (list) list.push(entry);
    else groups.set(slot, [entry]);
  }
  return groups;
}

/**
 * The part of a key that is hashed: its hash tag when it has a non-empty one, otherwise the whole
 * key. Strings only (for diagnostics and tests).
 */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}
