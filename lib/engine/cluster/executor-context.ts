import type { CommandTracer } from '../observability/observability.js';
import type { ResolvedClusterOptions } from './cluster-options.js';
import type { ExecutorCache } from './connection-plugin.js';
import type { NodeRegistry } from './node-registry.js';
import type { TopologyManager } from './topology-manager.js';

/** Counters of what the router has seen since the client was created. */
export interface ClusterStats {
  moved: number;
  ask: number;
  tryAgain: number;
  clusterDown: number;
  /** Commands retried after their connection was lost before (or, for reads, after) they were sent. */
  connectionRetries: number;
  /** Completed topology loads and refreshes. */
  topologyRefreshes: number;
}

/** @internal */
export interface ExecutorContext {
  readonly options: ResolvedClusterOptions;
  readonly registry: NodeRegistry;
  readonly topology: TopologyManager;
  readonly stats: ClusterStats;
  readonly defaultTimeout: number;
  isClosed(): boolean;
  /** Resolves when a topology is known (lazy connect); rejects when connecting failed. */
  whenTopology(): Promise<void>;
  /** Client-side cache, when enabled. */
  readonly cache: ExecutorCache | undefined;
  /** Traces the commands users issue through pipelines and transactions (observability). */
  readonly tracer?: CommandTracer;
}
