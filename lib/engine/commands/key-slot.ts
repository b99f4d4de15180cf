import calculateSlot from 'cluster-key-slot';
import type { RedisArgument } from '../resp/types.js';

/** Number of hash slots in a Redis Cluster. */
export const SLOT_COUNT = 16384;

/**
 * Decimal text of a number as the encoder sends it: `String(n)`, except integers of 1e21 or more
 * in magnitude, which are written out in full (no exponent).
 */
export function numberText(n: number): string {
  if (Number.isInteger(n) && (n >= 1e21 || n <= -1e21)) return BigInt(n).toString();
  return String(n);
}

/**
 * The hash slot of a key: CRC16 (XMODEM) of the key, or of its hash tag (the text between the
 * first `{` and the next `}` when that text is not empty), modulo 16384.
 * Strings are hashed as UTF-8; Buffers byte for byte; numbers as the decimal text they are sent as.
 */
export function keySlot(key: RedisArgument): number {
  return calculateSlot(typeof key === 'number' ? numberText(key) : key);
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
 * the entries (entry `i` covers `args[i * step]` … `args[i * step + step - 1]`).
 */
export function groupBySlot(args: readonly RedisArgument[], step = 1): Map<number, number[]> {
  if (!Number.isInteger(step) || step < 1) throw new RangeError(`step must be a positive integer, got ${step}`);
  const groups = new Map<number, number[]>();
  const count = Math.floor(args.length / step);
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
