import { ConnectionError } from '../errors/connection.error.js';
import { CommandTimeoutError } from '../errors/base.error.js';
import type { RespValue } from '../resp/types.js';
import type { RedisCluster } from './cluster-client.js';

/** Options of scanIterator(). */
export interface ScanIteratorOptions {
  /** Glob-style pattern (`MATCH`). */
  MATCH?: string;
  /** Hint of keys per SCAN call (`COUNT`). @default 100 */
  COUNT?: number;
  /** Only keys of this type (`TYPE`: string, list, set, zset, hash, stream). */
  TYPE?: string;
}

/** Retries per shard when its master is lost mid-scan. */
const MAX_SHARD_RESTARTS = 5;

/**
 * SCANs each shard's master in turn and yields every page of keys. If a shard's master changes
 * mid-scan (failover), that shard's scan restarts on the new master from cursor 0, so keys may be
 * yielded twice (as SCAN itself allows) but none of that shard is missed.
 * @internal
 */
export async function* scanCluster(cluster: RedisCluster, options: ScanIteratorOptions): AsyncIterableIterator<string[]> {
  if (!cluster.getPrimaries().length) await cluster.connect();
  const args: Array<string | number> = [];
  if (options.MATCH !== undefined) args.push('MATCH', options.MATCH);
  args.push('COUNT', options.COUNT ?? 100);
  if (options.TYPE !== undefined) args.push('TYPE', options.TYPE);
  // One representative slot per shard: the shard is re-resolved through it after a failover.
  const topology = cluster.topology.current!;
  const slots = topology.shards.map((shard) => shard.ranges[0]![0]);
  for (const slot of slots) {
    let address: string | undefined;
    let cursor = '0';
    let restarts = 0;
    do {
      const master = cluster.getSlotMaster(slot);
      if (!master) throw new ConnectionError('?', `no node serves slot ${slot} during SCAN`);
      if (address !== undefined && master.address !== address) cursor = '0';
      address = master.address;
      let reply: RespValue[];
      try {
        reply = await cluster.nodeClient(master).sendCommand<RespValue[]>(['SCAN', cursor, ...args]);
      } catch (error) {
        if (!(error instanceof ConnectionError || error instanceof CommandTimeoutError) || ++restarts > MAX_SHARD_RESTARTS) throw error;
        await cluster.refreshTopology().catch(() => undefined);
        continue;
      }
      cursor = String(reply[0]);
      const keys = (reply[1] as RespValue[]).map(String);
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}
