import { ConnectionError } from '../errors/connection.error.js';
import { ArgumentError, CommandTimeoutError, describeArgumentKind } from '../errors/base.error.js';
import type { RedisArgument, RespValue } from '../resp/types.js';

/** Options of scanIterator(). */
export interface ScanIteratorOptions {
  /** Glob-style pattern (`MATCH`). */
  MATCH?: string;
  /** Hint of keys per SCAN call (`COUNT`). @default 100 */
  COUNT?: number;
  /** Only keys of this type (`TYPE`: string, list, set, zset, hash, stream). */
  TYPE?: string;
}

/** What a cluster-wide SCAN needs from the client (a narrow view, not the client itself). @internal */
export interface ScanHost {
  /** The masters of the current topology (empty before the first one). */
  primaries(): ReadonlyArray<{ readonly address: string }>;
  /** Connects (discovers the topology) when not connected yet. */
  connect(): Promise<void>;
  /** Reloads the topology (after a master was lost). */
  refreshTopology(): Promise<unknown>;
  /** Sends `argv` to the node at `address` (no routing, no redirects). */
  sendTo(address: string, argv: readonly RedisArgument[]): Promise<RespValue>;
}

/** Retries per shard when its master is lost mid-scan. */
const MAX_SHARD_RESTARTS = 5;

/**
 * SCANs each master in turn and yields every page of keys. If a master is lost mid-scan
 * (failover), the replica promoted in its place is scanned from cursor 0 as a new master, so keys
 * may be yielded twice (as SCAN itself allows) but no shard is skipped. Keys moved by a live
 * reshard while the scan runs may be missed or repeated, as with SCAN on one node.
 * @internal
 */
export async function* scanCluster(cluster: ScanHost, options: ScanIteratorOptions): AsyncIterableIterator<string[]> {
  const args = scanArguments(options);
  if (args instanceof ArgumentError) throw args;
  if (!cluster.primaries().length) await cluster.connect();
  // Every master is scanned to the end, by address; masters that appear meanwhile (a replica
  // promoted by a failover) are scanned too, so no shard is skipped.
  const done = new Set<string>();
  for (;;) {
    const next = cluster.primaries().find((m) => !done.has(m.address));
    if (!next) return;
    done.add(next.address);
    let cursor = '0';
    let restarts = 0;
    do {
      let reply: RespValue[];
      try {
        reply = (await cluster.sendTo(next.address, ['SCAN', cursor, ...args])) as RespValue[];
      } catch (error) {
        if (!(error instanceof ConnectionError || error instanceof CommandTimeoutError)) throw error;
        // The master is gone (failover): refresh; its promoted replica is a new master, scanned in turn.
        if (++restarts > MAX_SHARD_RESTARTS) throw error;
        await cluster.refreshTopology().catch(() => undefined);
        if (!cluster.primaries().some((m) => m.address === next.address)) break;
        continue;
      }
      cursor = String(reply[0]);
      const keys = (reply[1] as RespValue[]).map(String);
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}

/**
 * The SCAN arguments after the cursor, from options read once; an ArgumentError (naming the option,
 * never its value) for options that are not an object, a MATCH/TYPE that is not a string, or a
 * COUNT that is not a positive integer. Never throws. @internal
 */
export function scanArguments(options: unknown): Array<string | number> | ArgumentError {
  try {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      return new ArgumentError('scanIterator', 0, 'an options object', describeArgumentKind(options), 'options');
    }
    const { MATCH, COUNT, TYPE } = options as { MATCH?: unknown; COUNT?: unknown; TYPE?: unknown };
    if (MATCH !== undefined && typeof MATCH !== 'string') return new ArgumentError('scanIterator', 'options.MATCH', 'a string', describeArgumentKind(MATCH));
    if (COUNT !== undefined && !(typeof COUNT === 'number' && Number.isInteger(COUNT) && COUNT > 0)) {
      return new ArgumentError('scanIterator', 'options.COUNT', 'a positive integer', describeArgumentKind(COUNT));
    }
    if (TYPE !== undefined && typeof TYPE !== 'string') return new ArgumentError('scanIterator', 'options.TYPE', 'a string', describeArgumentKind(TYPE));
    const args: Array<string | number> = [];
    if (MATCH !== undefined) args.push('MATCH', MATCH);
    args.push('COUNT', COUNT ?? 100);
    if (TYPE !== undefined) args.push('TYPE', TYPE);
    return args;
  } catch {
    return new ArgumentError('scanIterator', 0, 'a plain options object', 'a value that throws when read', 'options');
  }
}
