import { defineCommand } from '../command-definition.js';
import type { RedisArgument } from '../../resp/types.js';
import { passThrough, streamMessages, streamsMessages } from '../transforms.js';
import { pushVariadic, type VariadicArgument } from './arguments.js';

/** What XADD/XTRIM/XDELEX do with consumer-group references of trimmed entries (Redis 8.2+). */
export type StreamDeletionPolicy = 'KEEPREF' | 'DELREF' | 'ACKED';

/** XADD options. */
export interface XAddOptions {
  /** Deletion policy for entries trimmed by TRIM (Redis 8.2+). */
  policy?: StreamDeletionPolicy;
  /** Idempotent add with an automatic id for producer `pid` (Redis 8.6+). */
  IDMPAUTO?: { pid: RedisArgument };
  /** Idempotent add for producer `pid` and message id `iid` (Redis 8.6+). */
  IDMP?: { pid: RedisArgument; iid: RedisArgument };
  /** Trim while adding: MAXLEN (length) or MINID (smallest id kept); `~` trims approximately. */
  TRIM?: {
    strategy: 'MAXLEN' | 'MINID';
    strategyModifier?: '=' | '~';
    threshold: number | string;
    /** With `~`: at most this many entries evicted per call. */
    limit?: number;
    policy?: StreamDeletionPolicy;
  };
}

/** XTRIM options: exact (`=`, the default) or approximate (`~`, optionally with LIMIT). */
export type XTrimOptions =
  | { strategyModifier?: '='; policy?: StreamDeletionPolicy }
  | { strategyModifier: '~'; LIMIT?: number; policy?: StreamDeletionPolicy };

/** XRANGE/XREVRANGE options. */
export interface XRangeOptions {
  /** Return at most this many entries. */
  COUNT?: number;
}

/** A stream and the id to read after (`'$'`: only new entries; `'>'` in groups: never delivered). */
export interface XReadStream {
  key: RedisArgument;
  id: RedisArgument;
}

/** One stream or several (same slot in a cluster). */
export type XReadStreams = XReadStream | readonly XReadStream[];

/** XREAD options. */
export interface XReadOptions {
  /** At most this many entries per stream. */
  COUNT?: number;
  /** Redis 8.8+: at most this many entries in total. */
  MAXCOUNT?: number;
  /** Redis 8.8+: stop after roughly this many bytes. */
  MAXSIZE?: number;
  /** Block up to this many milliseconds (0: forever) when nothing is available. */
  BLOCK?: number;
}

function pushXAdd(
  flag: 'NOMKSTREAM' | undefined,
  key: RedisArgument,
  id: RedisArgument,
  message: Record<string, RedisArgument>,
  options: XAddOptions | undefined,
): RedisArgument[] {
  const argv: RedisArgument[] = ['XADD', key];
  if (flag) argv.push(flag);
  if (options?.policy) argv.push(options.policy);
  if (options?.IDMPAUTO) argv.push('IDMPAUTO', options.IDMPAUTO.pid);
  else if (options?.IDMP) argv.push('IDMP', options.IDMP.pid, options.IDMP.iid);
  const trim = options?.TRIM;
  if (trim) {
    argv.push(trim.strategy);
    if (trim.strategyModifier) argv.push(trim.strategyModifier);
    argv.push(trim.threshold);
    if (trim.limit !== undefined) argv.push('LIMIT', trim.limit);
    if (trim.policy) argv.push(trim.policy);
  }
  argv.push(id);
  const fields = Object.keys(message);
  if (fields.length === 0) throw new TypeError('XADD needs at least one field');
  for (const field of fields) argv.push(field, message[field]!);
  return argv;
}

/** Appends `STREAMS key [key …] id [id …]`. */
export function pushXReadStreams(argv: RedisArgument[], streams: XReadStreams): RedisArgument[] {
  argv.push('STREAMS');
  if (Array.isArray(streams)) {
    const list = streams as readonly XReadStream[];
    for (const s of list) argv.push(s.key);
    for (const s of list) argv.push(s.id);
  } else {
    const s = streams as XReadStream;
    argv.push(s.key, s.id);
  }
  return argv;
}

/** Appends the read options shared by XREAD and XREADGROUP (COUNT, MAXCOUNT, MAXSIZE, BLOCK). */
export function pushReadOptions(argv: RedisArgument[], options: XReadOptions | undefined): RedisArgument[] {
  if (options?.COUNT !== undefined) argv.push('COUNT', options.COUNT);
  if (options?.MAXCOUNT !== undefined) argv.push('MAXCOUNT', options.MAXCOUNT);
  if (options?.MAXSIZE !== undefined) argv.push('MAXSIZE', options.MAXSIZE);
  if (options?.BLOCK !== undefined) argv.push('BLOCK', options.BLOCK);
  return argv;
}

function pushRange(name: string, key: RedisArgument, start: RedisArgument, end: RedisArgument, options?: XRangeOptions) {
  const argv: RedisArgument[] = [name, key, start, end];
  if (options?.COUNT !== undefined) argv.push('COUNT', options.COUNT);
  return argv;
}

export const STREAM_COMMANDS = {
  /** XADD: appends an entry (`id` `'*'` for an automatic one), optionally trimming; the entry id. */
  xAdd: defineCommand({
    build: (key: RedisArgument, id: RedisArgument, message: Record<string, RedisArgument>, options?: XAddOptions) =>
      pushXAdd(undefined, key, id, message, options),
    transform: passThrough<string>(),
  }),
  /** XADD … NOMKSTREAM: appends only if the stream exists; the entry id, or null. */
  xAddNoMkStream: defineCommand({
    build: (key: RedisArgument, id: RedisArgument, message: Record<string, RedisArgument>, options?: XAddOptions) =>
      pushXAdd('NOMKSTREAM', key, id, message, options),
    transform: passThrough<string | null>(),
  }),
  /** XLEN: the number of entries (0 when missing). */
  xLen: defineCommand({
    build: (key: RedisArgument) => ['XLEN', key],
    transform: passThrough<number>(),
  }),
  /** XRANGE: entries with ids from `start` to `end` (`'-'`, `'+'`, `'(id'` exclusive): `{ id, message }[]`. */
  xRange: defineCommand({
    build: (key: RedisArgument, start: RedisArgument, end: RedisArgument, options?: XRangeOptions) =>
      pushRange('XRANGE', key, start, end, options),
    transform: streamMessages,
  }),
  /** XREVRANGE: entries from `start` (high) down to `end` (low): `{ id, message }[]`. */
  xRevRange: defineCommand({
    build: (key: RedisArgument, start: RedisArgument, end: RedisArgument, options?: XRangeOptions) =>
      pushRange('XREVRANGE', key, start, end, options),
    transform: streamMessages,
  }),
  /** XREAD: entries after the given ids, BLOCK in ms: `[{ name, messages }]`, or null when none (timeout). */
  xRead: defineCommand({
    build: (streams: XReadStreams, options?: XReadOptions) =>
      pushXReadStreams(pushReadOptions(['XREAD'], options), streams),
    transform: streamsMessages,
  }),
  /** XDEL: deletes entries by id; how many were deleted. */
  xDel: defineCommand({
    build: (key: RedisArgument, ids: VariadicArgument) => pushVariadic(['XDEL', key], ids),
    transform: passThrough<number>(),
  }),
  /** XTRIM: trims by MAXLEN (length) or MINID (smallest id kept), `~` approximately; how many were removed. */
  xTrim: defineCommand({
    build: (key: RedisArgument, strategy: 'MAXLEN' | 'MINID', threshold: number | string, options?: XTrimOptions) => {
      const argv: RedisArgument[] = ['XTRIM', key, strategy];
      if (options?.strategyModifier !== undefined) argv.push(options.strategyModifier);
      argv.push(threshold);
      if (options?.strategyModifier === '~' && options.LIMIT !== undefined) argv.push('LIMIT', options.LIMIT);
      if (options?.policy) argv.push(options.policy);
      return argv;
    },
    transform: passThrough<number>(),
  }),
};
