import type { ModuleRef } from '@nestjs/core';
import type { NodeHealth } from '../../engine/cluster/health-report.js';
import type { RedisClusterLifecycle, RedisClusterState } from '../lifecycle/redis-cluster.lifecycle.js';
import { DEFAULT_CLUSTER_NAME } from '../redis-cluster.constants.js';
import { getClusterLifecycleToken } from '../redis-cluster.tokens.js';

/** Options of a cluster health check. */
export interface RedisClusterHealthCheckOptions {
  /** Name of the cluster (as given to forRoot). @default 'default' */
  cluster?: string;
  /** Deadline of the whole check in milliseconds; nodes that have not answered by then count as down. @default 1000 */
  timeoutMs?: number;
}

/** What a health check reports for one cluster (the data of the Terminus indicator). */
export interface RedisClusterHealthDetails {
  /** Name of the cluster. */
  readonly cluster: string;
  /** Where the cluster is in the application's life. */
  readonly lifecycle: RedisClusterState | 'unknown';
  /** `cluster_state` from CLUSTER INFO (`ok` / `fail`), when a master answered. */
  readonly clusterState?: string;
  /** Slots served by the client's topology (16384 when complete). */
  readonly slotsCovered: number;
  /** Each node: address, role, up/down, PING latency or error. */
  readonly nodes: readonly NodeHealth[];
  /**
   * Nodes in a maintenance window now (Smart Client Handoffs: the server announced a migration,
   * failover or endpoint move; commands to them get relaxed timeouts). Empty when none, or when
   * maintenance notifications are off.
   */
  readonly maintenanceNodes: readonly string[];
  /** Why the cluster is not up. */
  readonly reason?: string;
  /** ISO time of the check. */
  readonly checkedAt: string;
}

/**
 * The outcome of a check: `down` (not connected, shutting down, a master not answering within
 * the deadline, `cluster_state` not ok, slots uncovered), `degraded` (still serving, but only
 * replicas are down, or nodes are in a maintenance window) or `up`.
 */
export interface RedisClusterHealthResult {
  readonly status: 'up' | 'degraded' | 'down';
  readonly details: RedisClusterHealthDetails;
}

function down(cluster: string, lifecycle: RedisClusterHealthDetails['lifecycle'], reason: string): RedisClusterHealthResult {
  return { status: 'down', details: { cluster, lifecycle, slotsCovered: 0, nodes: [], maintenanceNodes: [], reason, checkedAt: new Date().toISOString() } };
}

/** The client's nodes in a maintenance window; never throws (an engine without the accessor has none). */
function maintenanceNodesOf(lifecycle: RedisClusterLifecycle): string[] {
  try {
    const cluster = lifecycle.cluster as { maintenanceNodes?: () => string[] } | undefined;
    return [...(cluster?.maintenanceNodes?.() ?? [])].sort();
  } catch {
    return [];
  }
}

function maintenanceReason(nodes: readonly string[]): string {
  return `node(s) in a maintenance window: ${nodes.join(', ')}`;
}

/**
 * Checks one cluster of the application through the engine's `healthReport`, and reports
 * `degraded` instead of `up` while nodes are in a maintenance window. Never throws.
 * Reports down from `beforeApplicationShutdown` on, so that a load balancer stops routing to an
 * instance that is about to close its connections.
 */
export async function checkRedisCluster(moduleRef: ModuleRef, options: RedisClusterHealthCheckOptions = {}): Promise<RedisClusterHealthResult> {
  const name = options.cluster ?? DEFAULT_CLUSTER_NAME;
  let lifecycle: RedisClusterLifecycle;
  try {
    lifecycle = moduleRef.get<RedisClusterLifecycle>(getClusterLifecycleToken(name), { strict: false });
  } catch {
    return down(name, 'unknown', `no Redis cluster named "${name}" is registered`);
  }
  try {
    if (lifecycle.isShuttingDown) return down(name, lifecycle.state, 'the application is shutting down');
    const report = await lifecycle.healthReport(options.timeoutMs ?? 1000);
    const maintenanceNodes = maintenanceNodesOf(lifecycle);
    // A maintenance window does not make an answering cluster down, but it is not plainly up either.
    const status = lifecycle.isShuttingDown ? 'down' : report.status === 'up' && maintenanceNodes.length > 0 ? 'degraded' : report.status;
    const reason = report.reason ?? (maintenanceNodes.length > 0 ? maintenanceReason(maintenanceNodes) : undefined);
    const details: RedisClusterHealthDetails = {
      cluster: name,
      lifecycle: lifecycle.state,
      ...(report.clusterState !== undefined ? { clusterState: report.clusterState } : {}),
      slotsCovered: report.slotsCovered,
      nodes: report.nodes,
      maintenanceNodes,
      ...(reason !== undefined ? { reason } : {}),
      checkedAt: report.checkedAt,
    };
    return { status, details };
  } catch (error) {
    return down(name, lifecycle.state, error instanceof Error ? error.message : String(error));
  }
}
