import type { NodeConnection } from '../connection/node-connection.js';
import type { ResolvedNodeConnectionOptions } from '../connection/connection-options.js';
import { TopologyError, type SeedFailure } from '../errors/cluster.error.js';
import type { ResolvedClusterOptions } from './cluster-options.js';
import type { NodeRegistry, TopologyDiff } from './node-registry.js';
import { fetchFromSeeds, fetchTopology } from './topology-loader.js';
import type { ParseContext } from './topology-parse.js';
import { SLOT_COUNT, type Topology } from './topology.js';

/** Least time between two refreshes asked for by events (MOVED storms, reconnect loops), in ms. */
const MIN_REFRESH_GAP_MS = 100;

/** Callbacks of the topology manager. @internal */
export interface TopologyEvents {
  changed(topology: Topology, diff: TopologyDiff, previous: Topology | undefined): void;
  /** A MOVED reply patched `slot` to another master (no refresh yet). */
  patched?(topology: Topology, slot: number): void;
  error(error: Error): void;
}

/**
 * Owns the current topology: the first load from the seeds, single-flight debounced refreshes
 * on events, a periodic refresh, and slot patches after MOVED. Each new topology is applied to
 * the node registry incrementally.
 * @internal
 */
export class TopologyManager {
  private currentTopology: Topology | undefined;
  private inFlight: Promise<void> | undefined;
  private lastRefreshAt = 0;
  private debounceTimer: NodeJS.Timeout | undefined;
  private periodicTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Count of completed refreshes (for stats). */
  refreshCount = 0;

  constructor(
    private readonly options: ResolvedClusterOptions,
    private readonly registry: NodeRegistry,
    private readonly events: TopologyEvents,
  ) {}

  get current(): Topology | undefined {
    return this.currentTopology;
  }

  /** First load from the seeds. Rejects with TopologyError naming every seed's failure. */
  async bootstrap(): Promise<Topology> {
    let topology: Topology;
    try {
      topology = await fetchFromSeeds(this.options.rootNodes, (seed) => this.context(seed.host));
    } catch (failures) {
      throw new TopologyError('No root node could provide the cluster topology (rootNodes)', failures as SeedFailure[]);
    }
    this.checkCoverage(topology);
    this.install(topology);
    if (!this.stopped) this.startPeriodic();
    return topology;
  }

  /** Asks for a refresh soon; many calls within a short time cause one refresh. */
  requestRefresh(): void {
    if (this.stopped || this.inFlight || this.debounceTimer) return;
    const wait = Math.max(0, this.lastRefreshAt + MIN_REFRESH_GAP_MS - Date.now());
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      void this.refresh().catch((error: Error) => this.events.error(error));
    }, wait);
  }

  /** Refreshes now (joining a refresh already running). */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.inFlight ??= this.doRefresh().finally(() => {
      this.inFlight = undefined;
      this.lastRefreshAt = Date.now();
    });
    return this.inFlight;
  }

  /** After MOVED: serve `slot` from the shard whose master is `address`, without waiting for a refresh. */
  patchSlot(slot: number, address: string): void {
    const patched = this.currentTopology?.withSlotMoved(slot, address);
    if (patched && patched !== this.currentTopology) {
      this.currentTopology = patched;
      this.events.patched?.(patched, slot);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    if (this.periodicTimer) clearInterval(this.periodicTimer);
    this.debounceTimer = this.periodicTimer = undefined;
  }

  private async doRefresh(): Promise<void> {
    const failures: SeedFailure[] = [];
    // Known masters first (their connections are usually open), then replicas, then the seeds.
    const nodes = this.registry
      .all()
      .sort((a, b) => Number(b.connection.isReady) - Number(a.connection.isReady) || (a.role === 'master' ? -1 : 1));
    for (const node of nodes.slice(0, 3)) {
      if (this.stopped) return;
      try {
        const topology = await fetchTopology(node.connection as NodeConnection, this.context(node.host));
        if (topology.shards.length === 0) continue;
        this.install(topology);
        return;
      } catch (error) {
        failures.push({ address: node.address, reason: 'other', error });
      }
    }
    if (this.stopped) return;
    try {
      this.install(await fetchFromSeeds(this.options.rootNodes, (seed: ResolvedNodeConnectionOptions) => this.context(seed.host)));
    } catch (seedFailures) {
      throw new TopologyError('Topology refresh failed on every known node and root node', [...failures, ...(seedFailures as SeedFailure[])]);
    }
  }

  private install(topology: Topology): void {
    if (this.stopped) return;
    this.refreshCount++;
    const previous = this.currentTopology;
    this.currentTopology = topology;
    const diff = this.registry.apply(topology);
    const changed = !previous || diff.added.length > 0 || diff.removed.length > 0 || diff.roleChanged.length > 0 || previous.signature() !== topology.signature();
    if (changed) this.events.changed(topology, diff, previous);
  }

  private checkCoverage(topology: Topology): void {
    if (!this.options.requireFullCoverage) return;
    const covered = topology.coveredSlots;
    if (covered < SLOT_COUNT) {
      throw new TopologyError(`Only ${covered} of ${SLOT_COUNT} slots are served (requireFullCoverage is true)`, []);
    }
  }

  private startPeriodic(): void {
    const interval = this.options.topologyRefreshInterval;
    if (interval <= 0 || this.periodicTimer) return;
    this.periodicTimer = setInterval(() => void this.refresh().catch((error: Error) => this.events.error(error)), interval);
    this.periodicTimer.unref();
  }

  private context(answeringHost: string): ParseContext {
    return { answeringHost, tls: this.options.tls, mapAddress: this.options.mapAddress };
  }
}
