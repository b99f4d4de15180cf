import type { ModuleRef } from '@nestjs/core';
import type { NodeHealth } from '../../engine/cluster/health-report.js';
import type { RedisClusterLifecycle, RedisClusterState } from '../lifecycle/redis-cluster.lifecycle.js';
import { getSubscriptionsExplorerToken, type RedisSubscriptionsExplorer } from '../discovery/subscriptions.explorer.js';
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
  /**
   * Sharded channels that lost their subscription (failover, reshard, lost connection) and are
   * not subscribed anywhere yet; the engine retries them. Messages published to them meanwhile
   * are missed. A count: channel names may carry identifiers.
   */
  readonly unplacedShardChannels: number;
  /**
   * Decorated handlers (`ClassName.method`) whose subscription failed and is being retried in
   * the background (`optional: true`, or any with `lazyConnect`).
   */
  readonly failedSubscriptions: readonly string[];
  /** Why the cluster is not up. */
  readonly reason?: string;
  /** ISO time of the check. */
  readonly checkedAt: string;
}

/**
 * The outcome of a check: `down` (not connected, shutting down, a master not answering within
 * the deadline, `cluster_state` not ok, slots uncovered), `degraded` (still serving, but only
 * replicas are down, nodes are in a maintenance window, sharded channels are not subscribed
 * anywhere, or decorated handlers' subscriptions are being retried) or `up`.
 */
export interface RedisClusterHealthResult {
  readonly status: 'up' | 'degraded' | 'down';
  readonly details: RedisClusterHealthDetails;
}

function down(cluster: string, lifecycle: RedisClusterHealthDetails['lifecycle'], reason: string): RedisClusterHealthResult {
  return {
    status: 'down',
    details: { cluster, lifecycle, slotsCovered: 0, nodes: [], maintenanceNodes: [], unplacedShardChannels: 0, failedSubscriptions: [], reason, checkedAt: new Date().toISOString() },
  };
}

/** How many sharded channels the client has not placed (being retried); never throws. */
function unplacedShardChannelsOf(lifecycle: RedisClusterLifecycle): number {
  try {
    const cluster = lifecycle.cluster as { subscriptions?: () => { unplacedShardChannels?: readonly string[] } } | undefined;
    return cluster?.subscriptions?.().unplacedShardChannels?.length ?? 0;
  } catch {
    return 0;
  }
}

/** Handlers of the cluster's subscriptions explorer being retried; never throws (none without an explorer). */
function failedSubscriptionsOf(moduleRef: ModuleRef, name: string): string[] {
  try {
    const explorer = moduleRef.get<RedisSubscriptionsExplorer>(getSubscriptionsExplorerToken(name), { strict: false });
    return [...new Set(explorer.failedSubscriptions().map((f) => f.handler))].sort();
  } catch {
    return [];
  }
}

/** Why an answering cluster is degraded by the client's own state (maintenance, pub/sub). */
function clientStateReason(maintenanceNodes: readonly string[], unplaced: number, failed: readonly string[]): string | undefined {
  const parts: string[] = [];
  if (maintenanceNodes.length > 0) parts.push(maintenanceReason(maintenanceNodes));
  if (unplaced > 0) parts.push(`${unplaced} sharded channel(s) not subscribed anywhere (being retried)`);
  if (failed.length > 0) parts.push(`subscription(s) of ${failed.join(', ')} failed (being retried)`);
  return parts.length > 0 ? parts.join('; ') : undefined;
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
 * `degraded` instead of `up` while nodes are in a maintenance window, sharded channels are not
 * subscribed anywhere, or decorated handlers' subscriptions are being retried. Never throws.
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
    const unplacedShardChannels = unplacedShardChannelsOf(lifecycle);
    const failedSubscriptions = failedSubscriptionsOf(moduleRef, name);
    const clientReason = clientStateReason(maintenanceNodes, unplacedShardChannels, failedSubscriptions);
    // A maintenance window or pub/sub being re-established does not make an answering cluster down,
    // but it is not plainly up either.
    const status = lifecycle.isShuttingDown ? 'down' : report.status === 'up' && clientReason !== undefined ? 'degraded' : report.status;
    const reason = report.reason ?? clientReason;
    const details: RedisClusterHealthDetails = {
      cluster: name,
      lifecycle: lifecycle.state,
      ...(report.clusterState !== undefined ? { clusterState: report.clusterState } : {}),
      slotsCovered: report.slotsCovered,
      nodes: report.nodes,
      maintenanceNodes,
      unplacedShardChannels,
      failedSubscriptions,
      ...(reason !== undefined ? { reason } : {}),
      checkedAt: report.checkedAt,
    };
    return { status, details };
  } catch (error) {
    return down(name, lifecycle.state, error instanceof Error ? error.message : String(error));
  }
}
