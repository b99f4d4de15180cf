import { SLOT_COUNT } from '../commands/key-slot.js';
export { SLOT_COUNT };

/** A node as the topology knows it. */
export interface ClusterNodeInfo {
  /** `host:port` used to connect (after nodeAddressMap). */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  /** Cluster node id (40 hex chars) when known. */
  readonly id?: string;
  readonly role: 'master' | 'replica';
  /** The host name announced by the node (TLS SNI / certificate name), when any. */
  readonly hostname?: string;
  /**
   * Set on the nodes of {@link Topology.unavailable} only: `loading` (a replica still syncing, or
   * one Redis 7.0 reports so while its replication offset is 0) or `failed` (marked failed by the
   * cluster, e.g. a dead former master after a failover).
   */
  readonly health?: 'loading' | 'failed';
}

/** A master and its replicas, and the slot ranges they serve. */
export interface Shard {
  readonly master: ClusterNodeInfo;
  readonly replicas: readonly ClusterNodeInfo[];
  /** Inclusive `[start, end]` ranges. */
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  /** Nodes of this shard that serve nothing now (loading or failed), with their `health`. */
  readonly unavailable?: readonly ClusterNodeInfo[];
}

/**
 * An immutable snapshot of the cluster: shards, and for every slot the index of the shard that
 * serves it (-1 when unassigned). A new snapshot replaces the old one as a whole.
 */
export class Topology {
  /** Shard index per slot, -1 when no shard serves it. */
  private readonly slotToShard: Int16Array;
  readonly nodes: ReadonlyMap<string, ClusterNodeInfo>;

  /**
   * Nodes the cluster lists but that serve nothing now (loading or failed replicas, a dead former
   * master): not routed to and not in `nodes`; reported by health, re-checked soon by the client.
   */
  readonly unavailable: readonly ClusterNodeInfo[];

  /**
   * @param orphans Unavailable nodes outside every served shard (a failed master without slots).
   */
  constructor(
    readonly shards: readonly Shard[],
    private readonly orphans: readonly ClusterNodeInfo[] = [],
  ) {
    this.slotToShard = new Int16Array(SLOT_COUNT).fill(-1);
    const nodes = new Map<string, ClusterNodeInfo>();
    shards.forEach((shard, index) => {
      for (const [start, end] of shard.ranges) this.slotToShard.fill(index, start, end + 1);
      nodes.set(shard.master.address, shard.master);
      for (const replica of shard.replicas) nodes.set(replica.address, replica);
    });
    this.nodes = nodes;
    this.unavailable = [...shards.flatMap((shard) => shard.unavailable ?? []), ...orphans];
  }

  /** The shard serving `slot`, or undefined when the slot is unassigned. */
  shardOf(slot: number): Shard | undefined {
    const index = this.slotToShard[slot]!;
    return index < 0 ? undefined : this.shards[index];
  }

  /** Number of slots that some shard serves. */
  get coveredSlots(): number {
    let covered = 0;
    for (let slot = 0; slot < SLOT_COUNT; slot++) if (this.slotToShard[slot]! >= 0) covered++;
    return covered;
  }

  /** True when all 16384 slots are served. */
  get fullyCovered(): boolean {
    return this.coveredSlots === SLOT_COUNT;
  }

  get masters(): ClusterNodeInfo[] {
    return this.shards.map((shard) => shard.master);
  }

  get replicas(): ClusterNodeInfo[] {
    return this.shards.flatMap((shard) => shard.replicas);
  }

  /**
   * A copy in which `slot` is served by the shard whose master is `address` (after a MOVED),
   * or undefined when no known shard has that master (the caller then refreshes).
   */
  withSlotMoved(slot: number, address: string): Topology | undefined {
    const target = this.shards.findIndex((shard) => shard.master.address === address);
    if (target >= 0 && this.slotToShard[slot] === target) return this;
    const shards: Shard[] = this.shards.map((shard, index) => {
      const ranges = removeSlot(shard.ranges, slot);
      return { ...shard, ranges: index === target ? [...ranges, [slot, slot] as const] : ranges };
    });
    if (target < 0) {
      // A master this snapshot does not know yet (typically a replica just promoted by a failover):
      // it serves this slot now; the refresh that follows fills in the rest.
      const colon = address.lastIndexOf(':');
      const port = Number(address.slice(colon + 1));
      if (colon <= 0 || !Number.isInteger(port)) return undefined;
      const host = address.slice(0, colon);
      const known = this.nodes.get(address);
      shards.push({ master: { ...known, address, host, port, role: 'master' }, replicas: [], ranges: [[slot, slot]] });
      for (let i = 0; i < shards.length - 1; i++) {
        const shard = shards[i]!;
        if (shard.replicas.some((r) => r.address === address)) shards[i] = { ...shard, replicas: shard.replicas.filter((r) => r.address !== address) };
      }
    }
    return new Topology(
      shards.filter((shard) => shard.ranges.length > 0 || shard.master.address === address),
      this.orphans,
    );
  }

  /** A copy in which the unavailable replicas in `online` (confirmed serving, e.g. by ROLE) serve again. */
  withReplicasOnline(online: ReadonlySet<string>): Topology {
    if (online.size === 0 || !this.unavailable.some((n) => online.has(n.address))) return this;
    const shards = this.shards.map((shard) => {
      const joining = (shard.unavailable ?? []).filter((n) => n.role === 'replica' && online.has(n.address));
      if (joining.length === 0) return shard;
      return {
        ...shard,
        replicas: [...shard.replicas, ...joining.map(({ health: _health, ...info }) => info)],
        unavailable: (shard.unavailable ?? []).filter((n) => !joining.includes(n)),
      };
    });
    return new Topology(shards, this.orphans);
  }

  /** A stable textual signature of the slot map and roles, to tell whether anything changed. */
  signature(): string {
    return this.shards
      .map((s) => `${s.master.address}[${s.ranges.map(([a, b]) => `${a}-${b}`).join(',')}](${s.replicas.map((r) => r.address).sort().join(',')})`)
      .sort()
      .join(';');
  }
}

function removeSlot(ranges: ReadonlyArray<readonly [number, number]>, slot: number): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  for (const [start, end] of ranges) {
    if (slot < start || slot > end) out.push([start, end]);
    else {
      if (start < slot) out.push([start, slot - 1]);
      if (slot < end) out.push([slot + 1, end]);
    }
  }
  return out;
}
