import type { RedisArgument } from '../../resp/types.js';
import { ArgumentError, describeArgumentKind } from '../../errors/base.error.js';

/** One argument or several (node-redis `RedisVariadicArgument`). */
export type VariadicArgument = RedisArgument | readonly RedisArgument[];

/** Appends one argument or each of several. */
export function pushVariadic(argv: RedisArgument[], value: VariadicArgument): RedisArgument[] {
  if (Array.isArray(value)) {
    for (const item of value as readonly RedisArgument[]) argv.push(item);
  } else {
    argv.push(value as RedisArgument);
  }
  return argv;
}

/** Appends how many arguments follow, then the arguments (`numkeys key [key …]`). */
export function pushWithCount(argv: RedisArgument[], value: VariadicArgument): RedisArgument[] {
  if (Array.isArray(value)) {
    const items = value as readonly RedisArgument[];
    argv.push(items.length);
    for (const item of items) argv.push(item);
  } else {
    argv.push(1, value as RedisArgument);
  }
  return argv;
}

/** A Unix time in seconds from seconds or a Date (rounded down). */
export function unixSeconds(value: number | Date): number {
  return typeof value === 'number' ? value : Math.floor(value.getTime() / 1000);
}

/** A Unix time in milliseconds from milliseconds or a Date. */
export function unixMilliseconds(value: number | Date): number {
  return typeof value === 'number' ? value : value.getTime();
}

/** SCAN-family options shared by SCAN, HSCAN, SSCAN and ZSCAN. */
export interface ScanCommonOptions {
  /** Glob-style pattern the returned names must match. */
  MATCH?: RedisArgument;
  /** Hint of how much work one call does (not an exact count). */
  COUNT?: number;
}

/** Appends `cursor [MATCH pattern] [COUNT count]`. */
export function pushScanArguments(argv: RedisArgument[], cursor: RedisArgument, options?: ScanCommonOptions): RedisArgument[] {
  argv.push(cursor);
  if (options?.MATCH !== undefined) argv.push('MATCH', options.MATCH);
  if (options?.COUNT) argv.push('COUNT', options.COUNT);
  return argv;
}

/** Flush mode of FLUSHALL, FLUSHDB, SCRIPT FLUSH and FUNCTION FLUSH. */
export type FlushMode = 'ASYNC' | 'SYNC';

/**
 * `prefix` then the flush mode when given. A mode other than `'ASYNC'`/`'SYNC'` (any case) is an
 * ArgumentError: a falsy mistake such as `0` or `''` must not silently mean "default".
 */
export function withFlushMode(prefix: readonly RedisArgument[], mode: unknown): RedisArgument[] {
  if (mode === undefined) return [...prefix];
  if (typeof mode === 'string' && /^(a?sync)$/i.test(mode)) return [...prefix, mode];
  throw new ArgumentError(prefix.join(' '), 0, "'ASYNC' or 'SYNC'", describeArgumentKind(mode), 'mode');
}
