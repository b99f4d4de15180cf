import type { NodeConnection } from '../connection/node-connection.js';
import type { ResolvedNodeConnectionOptions } from '../connection/connection-options.js';
import { ClientClosedError } from '../errors/base.error.js';
import { TopologyError, type SeedFailure } from '../errors/cluster.error.js';
import type { ResolvedClusterOptions } from './cluster-options.js';
import type { NodeRegistry, TopologyDiff } from './node-registry.js';
import { confirmServingReplicas, fetchFromSeeds, fetchTopology } from './topology-loader.js';
import type { ParseContext } from './topology-parse.js';
import { SLOT_COUNT, type Topology } from './topology.js';

/** Least time between two refreshes asked for by events (MOVED storms, reconnect loops), in ms. */
const MIN_REFRESH_GAP_MS = 100;
/** First re-check of a topology listing loading or failed nodes, in ms (doubling, capped). */
const RECHECK_FIRST_MS = 1000;
/** Longest wait between such re-checks, in ms (or the refresh interval, when shorter). */
const RECHECK_MAX_MS = 30_000;
/** Bound of one ROLE probe of a replica reported `loading`, in ms. */
const PROBE_TIMEOUT_MS = 1000;

/** Callbacks of the topology manager. @internal */
export interface TopologyEvents {
  changed(topology: Topology, diff: TopologyDiff, previous: Topology | undefined): void;
  /** A MOVED reply patched `slot` to another master (no refresh yet). */
  patched?(topology: Topology, slot: number): void;
  error(error: Error): void;
  /** A seed connection of a discovery was created (before it connects). */
  seedConnection?(connection: NodeConnection): void;
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
  /** Re-check soon while the topology lists loading or failed nodes (not at the next periodic refresh). */
  private recheckTimer: NodeJS.Timeout | undefined;
  private rechecks = 0;
  private stopped = false;
  /** Aborted by stop(): ends the seed connections of a discovery in progress. */
  private readonly lifetime = new AbortController();
  /** Count of completed refreshes (for stats). */
  refreshCount = 0;

  constructor(
    private readonly options: ResolvedClusterOptions,
    private readonly registry: NodeRegistry,
    private readonly events: TopologyEvents,
  ) {}

  /** Passes each seed connection of a discovery to the `seedConnection` event. */
  private readonly seedHook = (connection: NodeConnection): void => this.events.seedConnection?.(connection);

  get current(): Topology | undefined {
    return this.currentTopology;
  }

  /** First load from the seeds. Rejects with TopologyError naming every seed's failure. */
  async bootstrap(): Promise<Topology> {
    let topology: Topology;
    try {
      topology = await fetchFromSeeds(this.options.rootNodes, (seed) => this.context(seed.host), this.lifetime.signal, this.seedHook);
    } catch (failures) {
      if (failures instanceof ClientClosedError) throw failures;
      throw new TopologyError('No root node could provide the cluster topology (rootNodes)', failures as SeedFailure[]);
    }
    this.checkCoverage(topology);
    this.install(await this.confirmLoading(topology));
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

  /** Stops refreshing: clears every timer and ends the seed connections of a discovery in progress. */
  stop(): void {
    this.stopped = true;
    this.lifetime.abort();
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    if (this.periodicTimer) clearInterval(this.periodicTimer);
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    this.debounceTimer = this.periodicTimer = this.recheckTimer = undefined;
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
        this.install(await this.confirmLoading(topology));
        return;
      } catch (error) {
        failures.push({ address: node.address, reason: 'other', error });
      }
    }
    if (this.stopped) return;
    try {
      const topology = await fetchFromSeeds(this.options.rootNodes, (seed: ResolvedNodeConnectionOptions) => this.context(seed.host), this.lifetime.signal, this.seedHook);
      this.install(await this.confirmLoading(topology));
    } catch (seedFailures) {
      if (seedFailures instanceof ClientClosedError) return;
      throw new TopologyError('Topology refresh failed on every known node and root node', [...failures, ...(seedFailures as SeedFailure[])]);
    }
  }

  private install(topology: Topology): void {
    if (this.stopped) return;
    this.refreshCount++;
    const previous = this.currentTopology;
    this.currentTopology = topology;
    const diff = this.registry.apply(topology);
    this.scheduleRecheck(topology);
    const changed = !previous || diff.added.length > 0 || diff.removed.length > 0 || diff.roleChanged.length > 0 || previous.signature() !== topology.signature();
    if (changed) this.events.changed(topology, diff, previous);
  }

  /** Replicas reported `loading` whose ROLE says their master link is up serve: route to them. */
  private async confirmLoading(topology: Topology): Promise<Topology> {
    const loading = topology.unavailable.filter((n) => n.role === 'replica' && n.health === 'loading');
    if (loading.length === 0 || this.stopped) return topology;
    const serving = await confirmServingReplicas(loading, (n) => this.options.nodeOptions(n.host, n.port, n.hostname), PROBE_TIMEOUT_MS, this.lifetime.signal);
    return topology.withReplicasOnline(serving);
  }

  /**
   * While the cluster lists nodes that serve nothing (loading replicas, a dead former master),
   * refresh soon (1 s, doubling up to 30 s or the refresh interval), so that a replica that
   * finished loading or a restarted node is used without waiting for the periodic refresh.
   */
  private scheduleRecheck(topology: Topology): void {
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    this.recheckTimer = undefined;
    if (topology.unavailable.length === 0 || this.stopped) {
      this.rechecks = 0;
      return;
    }
    const interval = this.options.topologyRefreshInterval;
    const cap = interval > 0 ? Math.min(interval, RECHECK_MAX_MS) : RECHECK_MAX_MS;
    const delay = Math.min(RECHECK_FIRST_MS * 2 ** this.rechecks++, cap);
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = undefined;
      void this.refresh().catch((error: Error) => this.events.error(error));
    }, delay);
    this.recheckTimer.unref();
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
