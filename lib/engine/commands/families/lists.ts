import { defineCommand } from '../command-definition.js';
import type { RedisArgument, RespValue } from '../../resp/types.js';
import { asArray, passThrough, text } from '../transforms.js';
import { pushVariadic, pushWithCount, type VariadicArgument } from './arguments.js';

/** A list end. */
export type ListSide = 'LEFT' | 'RIGHT';
/** LINSERT position relative to the pivot. */
export type LInsertPosition = 'BEFORE' | 'AFTER';

/** LPOS options. */
export interface LPosOptions {
  /** Which match to return (1 = first; negative counts from the tail). */
  RANK?: number;
  /** Compare at most this many elements (0 = all). */
  MAXLEN?: number;
}

/** LMPOP/BLMPOP options. */
export interface LMPopOptions {
  /** Pop up to this many elements (default 1). */
  COUNT?: number;
}

/** LMPOP/BLMPOP reply: the key popped from and its elements, or null when every list was empty. */
export type LMPopReply = [key: string, elements: string[]] | null;

/** BLPOP/BRPOP reply: the key popped from and the element, or null on timeout. */
export interface BlockingPopReply {
  key: string;
  element: string;
}

function blockingPopReply(reply: RespValue): BlockingPopReply | null {
  if (reply === null) return null;
  const [key, element] = asArray(reply);
  return { key: text(key), element: text(element) };
}

function pushLMPop(argv: RedisArgument[], keys: VariadicArgument, side: ListSide, options?: LMPopOptions): RedisArgument[] {
  pushWithCount(argv, keys);
  argv.push(side);
  if (options?.COUNT !== undefined) argv.push('COUNT', options.COUNT);
  return argv;
}

function lPos(key: RedisArgument, element: RedisArgument, options?: LPosOptions): RedisArgument[] {
  const argv: RedisArgument[] = ['LPOS', key, element];
  if (options?.RANK !== undefined) argv.push('RANK', options.RANK);
  if (options?.MAXLEN !== undefined) argv.push('MAXLEN', options.MAXLEN);
  return argv;
}

export const LIST_COMMANDS = {
  /** LPUSH: prepends elements; the new length. */
  lPush: defineCommand({
    build: (key: RedisArgument, elements: VariadicArgument) => pushVariadic(['LPUSH', key], elements),
    transform: passThrough<number>(),
  }),
  /** RPUSH: appends elements; the new length. */
  rPush: defineCommand({
    build: (key: RedisArgument, elements: VariadicArgument) => pushVariadic(['RPUSH', key], elements),
    transform: passThrough<number>(),
  }),
  /** LPUSHX: prepends only if the list exists; the new length (0 when missing). */
  lPushX: defineCommand({
    build: (key: RedisArgument, elements: VariadicArgument) => pushVariadic(['LPUSHX', key], elements),
    transform: passThrough<number>(),
  }),
  /** RPUSHX: appends only if the list exists; the new length (0 when missing). */
  rPushX: defineCommand({
    build: (key: RedisArgument, elements: VariadicArgument) => pushVariadic(['RPUSHX', key], elements),
    transform: passThrough<number>(),
  }),
  /** LPOP: removes and returns the first element, or null. */
  lPop: defineCommand({
    build: (key: RedisArgument) => ['LPOP', key],
    transform: passThrough<string | null>(),
  }),
  /** RPOP: removes and returns the last element, or null. */
  rPop: defineCommand({
    build: (key: RedisArgument) => ['RPOP', key],
    transform: passThrough<string | null>(),
  }),
  /** LPOP key count: removes and returns up to `count` elements from the head, or null when missing. */
  lPopCount: defineCommand({
    build: (key: RedisArgument, count: number) => ['LPOP', key, count],
    transform: passThrough<string[] | null>(),
  }),
  /** RPOP key count: removes and returns up to `count` elements from the tail, or null when missing. */
  rPopCount: defineCommand({
    build: (key: RedisArgument, count: number) => ['RPOP', key, count],
    transform: passThrough<string[] | null>(),
  }),
  /** LRANGE: the elements from `start` to `stop` (inclusive, negative from the end). */
  lRange: defineCommand({
    build: (key: RedisArgument, start: number, stop: number) => ['LRANGE', key, start, stop],
    transform: passThrough<string[]>(),
  }),
  /** LLEN: the length of the list (0 when missing). */
  lLen: defineCommand({
    build: (key: RedisArgument) => ['LLEN', key],
    transform: passThrough<number>(),
  }),
  /** LINDEX: the element at `index` (negative from the end), or null. */
  lIndex: defineCommand({
    build: (key: RedisArgument, index: number) => ['LINDEX', key, index],
    transform: passThrough<string | null>(),
  }),
  /** LSET: replaces the element at `index`; `'OK'`. */
  lSet: defineCommand({
    build: (key: RedisArgument, index: number, element: RedisArgument) => ['LSET', key, index, element],
    transform: passThrough<'OK'>(),
  }),
  /** LINSERT: inserts `element` before/after `pivot`; the new length, -1 without pivot, 0 when missing. */
  lInsert: defineCommand({
    build: (key: RedisArgument, position: LInsertPosition, pivot: RedisArgument, element: RedisArgument) => [
      'LINSERT', key, position, pivot, element,
    ],
    transform: passThrough<number>(),
  }),
  /** LREM: removes `count` occurrences of `element` (0: all; negative: from the tail); how many were removed. */
  lRem: defineCommand({
    build: (key: RedisArgument, count: number, element: RedisArgument) => ['LREM', key, count, element],
    transform: passThrough<number>(),
  }),
  /** LTRIM: keeps only the elements from `start` to `stop`; `'OK'`. */
  lTrim: defineCommand({
    build: (key: RedisArgument, start: number, stop: number) => ['LTRIM', key, start, stop],
    transform: passThrough<'OK'>(),
  }),
  /** LPOS: the index of the first match of `element`, or null. */
  lPos: defineCommand({
    build: (key: RedisArgument, element: RedisArgument, options?: LPosOptions) => lPos(key, element, options),
    transform: passThrough<number | null>(),
  }),
  /** LPOS … COUNT: the indexes of up to `count` matches (0: all). */
  lPosCount: defineCommand({
    build: (key: RedisArgument, element: RedisArgument, count: number, options?: LPosOptions) => {
      const argv = lPos(key, element, options);
      argv.push('COUNT', count);
      return argv;
    },
    transform: passThrough<number[]>(),
  }),
  /** LMOVE: moves an element between lists atomically (same slot); the element, or null. */
  lMove: defineCommand({
    build: (source: RedisArgument, destination: RedisArgument, sourceSide: ListSide, destinationSide: ListSide) => [
      'LMOVE', source, destination, sourceSide, destinationSide,
    ],
    transform: passThrough<string | null>(),
  }),
  /** RPOPLPUSH: moves the tail of `source` to the head of `destination` (same slot); the element, or null. */
  rPopLPush: defineCommand({
    build: (source: RedisArgument, destination: RedisArgument) => ['RPOPLPUSH', source, destination],
    transform: passThrough<string | null>(),
  }),
  /** LMPOP: pops from the first non-empty list of `keys` (same slot): `[key, elements]` or null. */
  lmPop: defineCommand({
    build: (keys: VariadicArgument, side: ListSide, options?: LMPopOptions) => pushLMPop(['LMPOP'], keys, side, options),
    transform: passThrough<LMPopReply>(),
  }),
  /** BLPOP: blocking LPOP over `keys` (same slot), `timeout` in seconds (0: forever): `{ key, element }` or null. */
  blPop: defineCommand({
    build: (keys: VariadicArgument, timeout: number) => {
      const argv = pushVariadic(['BLPOP'], keys);
      argv.push(timeout);
      return argv;
    },
    transform: blockingPopReply,
  }),
  /** BRPOP: blocking RPOP over `keys` (same slot), `timeout` in seconds (0: forever): `{ key, element }` or null. */
  brPop: defineCommand({
    build: (keys: VariadicArgument, timeout: number) => {
      const argv = pushVariadic(['BRPOP'], keys);
      argv.push(timeout);
      return argv;
    },
    transform: blockingPopReply,
  }),
  /** BLMOVE: blocking LMOVE, `timeout` in seconds (0: forever); the element, or null on timeout. */
  blMove: defineCommand({
    build: (
      source: RedisArgument,
      destination: RedisArgument,
      sourceSide: ListSide,
      destinationSide: ListSide,
      timeout: number,
    ) => ['BLMOVE', source, destination, sourceSide, destinationSide, timeout],
    transform: passThrough<string | null>(),
  }),
  /** BLMPOP: blocking LMPOP, `timeout` in seconds (0: forever): `[key, elements]` or null on timeout. */
  blmPop: defineCommand({
    build: (timeout: number, keys: VariadicArgument, side: ListSide, options?: LMPopOptions) =>
      pushLMPop(['BLMPOP', timeout], keys, side, options),
    transform: passThrough<LMPopReply>(),
  }),
  /** BRPOPLPUSH: blocking RPOPLPUSH, `timeout` in seconds (0: forever); the element, or null on timeout. */
  brPopLPush: defineCommand({
    build: (source: RedisArgument, destination: RedisArgument, timeout: number) => [
      'BRPOPLPUSH', source, destination, timeout,
    ],
    transform: passThrough<string | null>(),
  }),
};
