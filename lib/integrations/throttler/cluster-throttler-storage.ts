import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RedisCluster } from '../../engine/cluster/cluster-client.js';
import { ArgumentError, ConfigError, ProtocolError, describeArgumentKind } from '../../engine/errors/base.error.js';
import { THROTTLER_SCRIPT, throttlerKeys } from './throttler-script.js';

/** What `increment` returns (the shape of @nestjs/throttler's `ThrottlerStorageRecord`, which it does not export). */
export interface ThrottlerStorageRecord {
  /** Hits counted in the current window (while blocked: the hits that caused the block). */
  totalHits: number;
  /** Seconds (rounded up) until the window ends (while blocked: until the block ends). */
  timeToExpire: number;
  /** True when this hit is refused. */
  isBlocked: boolean;
  /** Seconds (rounded up) until the block ends; 0 when not blocked. */
  timeToBlockExpire: number;
}

/** Options of {@link RedisClusterThrottlerStorage}. */
export interface RedisClusterThrottlerStorageOptions {
  /** Prepended to every key (must not contain `{` or `}`). Default: `'throttler:'`. */
  prefix?: string;
}

function checkCount(name: string, position: number, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new ArgumentError('throttler.increment', position, `a finite number >= ${min}`, describeArgumentKind(value), name);
  }
  return Math.ceil(value);
}

/**
 * A `ThrottlerStorage` for @nestjs/throttler 6 over a Redis Cluster:
 * `ThrottlerModule.forRoot({ throttlers: [...], storage: new RedisClusterThrottlerStorage(cluster) })`.
 *
 * Each hit is one Lua script call (EVALSHA, falling back to EVAL once per node on NOSCRIPT): atomic per
 * (throttler, tracker key), one round trip, its two keys in one slot (a shared hash tag). A fixed window of `ttl` ms
 * counts hits; the hit that goes over `limit` starts a block of `blockDuration` ms during which every hit is refused
 * and not counted; a fresh window starts after the block. Counts live in Redis, so every app instance on the same
 * cluster shares them. Times in the returned record are whole seconds, rounded up (what the guard puts in headers).
 * The cluster is borrowed: close it yourself (the Nest module does).
 */
export class RedisClusterThrottlerStorage implements ThrottlerStorage {
  private readonly prefix: string;

  constructor(
    private readonly cluster: RedisCluster,
    options: RedisClusterThrottlerStorageOptions = {},
  ) {
    const prefix = options.prefix ?? 'throttler:';
    if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
      throw new ConfigError('prefix', `must be a string without "{" or "}" (got ${describeArgumentKind(prefix)})`);
    }
    this.prefix = prefix;
  }

  /**
   * Counts one hit of `key` for `throttlerName`. `ttl` and `blockDuration` in milliseconds (`blockDuration` 0: refused
   * until the window ends), `limit` hits per window. Rejects with ArgumentError on bad arguments (never throws).
   */
  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    if (typeof key !== 'string') throw new ArgumentError('throttler.increment', 0, 'a string', describeArgumentKind(key), 'key');
    if (typeof throttlerName !== 'string') throw new ArgumentError('throttler.increment', 4, 'a string', describeArgumentKind(throttlerName), 'throttlerName');
    const ttlMs = checkCount('ttl', 1, ttl, 1);
    const max = checkCount('limit', 2, limit, 0);
    const blockMs = checkCount('blockDuration', 3, blockDuration, 0);
    const reply = await this.cluster.runScript<unknown>(THROTTLER_SCRIPT, {
      keys: throttlerKeys(this.prefix, throttlerName, key),
      arguments: [ttlMs, max, blockMs],
    });
    if (!Array.isArray(reply) || reply.length !== 4 || !reply.every((n) => typeof n === 'number')) {
      throw new ProtocolError('throttler script: unexpected reply shape');
    }
    const [totalHits, windowLeftMs, blocked, blockLeftMs] = reply as [number, number, number, number];
    return {
      totalHits,
      timeToExpire: Math.max(0, Math.ceil(windowLeftMs / 1000)),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.max(0, Math.ceil(blockLeftMs / 1000)),
    };
  }
}
