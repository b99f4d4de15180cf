import type { PluginHost } from '../cluster/connection-plugin.js';
import type { Topology } from '../cluster/topology.js';
import type { SlotMigration } from './types.js';

/** True when the topology serves every migrated slot from its destination's shard. */
export function migrationApplied(topology: Topology | undefined, migrations: readonly SlotMigration[]): boolean {
  if (!topology) return false;
  for (const { destination, slots } of migrations) {
    const address = `${destination.host}:${destination.port}`;
    for (const [start, end] of slots) {
      for (let slot = start; slot <= end; slot++) if (topology.shardOf(slot)?.master.address !== address) return false;
    }
  }
  return true;
}

/**
 * Follows SMIGRATED: asks for a topology refresh, then checks that the slot map shows the moved
 * slots on their destinations, and asks again (a refresh already running may have read the old
 * map) every `retryMs` up to `attempts` times. The refresh also adds destination nodes the
 * client did not know.
 * @internal
 */
export class SlotMigrationFollower {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  /**
   * @param retryMs ms between checks. @default 250
   * @param attempts most refreshes asked for one SMIGRATED. @default 5
   */
  constructor(
    private readonly host: PluginHost,
    private readonly retryMs = 250,
    private readonly attempts = 5,
  ) {}

  follow(migrations: readonly SlotMigration[]): void {
    if (this.closed) return;
    this.host.requestRefresh();
    let left = this.attempts - 1;
    const check = (): void => {
      if (this.closed || migrationApplied(this.host.topology(), migrations) || left-- <= 0) return;
      this.host.requestRefresh();
      this.later(check);
    };
    this.later(check);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private later(fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, this.retryMs);
    timer.unref();
    this.timers.add(timer);
  }
}
