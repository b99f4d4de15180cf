import type { RedisArgument, RespValue } from '../resp/types.js';
import { SLOT_COUNT, type Topology } from './topology.js';
import { parseClusterInfo } from './cluster-info.js';
import { byDeadline } from '../util/by-deadline.js';

/** What a health report reads of the client: nothing more. @internal */
export interface HealthSource {
  /** True between a successful connect() and close(). */
  readonly isOpen: boolean;
  /** The current topology, if any. */
  topology(): Topology | undefined;
  /** The `requireFullCoverage` option. */
  readonly requireFullCoverage: boolean;
  /** Sends `args` to the node at `address` (no routing, no redirects) within `timeoutMs`. */
  sendToNode(address: string, args: readonly RedisArgument[], timeoutMs: number): Promise<RespValue>;
}

/** Options of healthReport(). */
export interface HealthReportOptions {
  /** Deadline for the whole check in ms; nodes that have not answered by then count as down. @default 1000 */
  timeoutMs?: number;
}

/** One node's part of a health report. */
export interface NodeHealth {
  readonly address: string;
  readonly role: 'master' | 'replica';
  /**
   * `up` (answered PING), `down` (no answer within the deadline, or marked failed by the cluster,
   * e.g. a dead former master after a failover, listed until the cluster forgets it) or `loading`
   * (a replica the cluster reports loading; not used for reads until it serves).
   */
  readonly status: 'up' | 'down' | 'loading';
  /** PING round trip in ms (when up). */
  readonly latencyMs?: number;
  /** Why it is down (error message, never argument values). */
  readonly error?: string;
}

/**
 * The cluster's health as a readiness probe needs it:
 * `down` when the client is not connected, `cluster_state` is not ok, slots are uncovered (with
 * requireFullCoverage) or a master does not answer PING within the deadline; `degraded` when only
 * replicas are down; `up` otherwise.
 */
export interface HealthReport {
  readonly status: 'up' | 'degraded' | 'down';
  /** `cluster_state` from CLUSTER INFO, when a master answered it. */
  readonly clusterState?: string;
  readonly slotsCovered: number;
  readonly nodes: readonly NodeHealth[];
  /** A short reason when not up. */
  readonly reason?: string;
  /** ISO time of the check. */
  readonly checkedAt: string;
}

const lateAnswer = (): Error => new Error('no answer within the health check deadline');

/** @internal */
export async function healthReport(cluster: HealthSource, options: HealthReportOptions): Promise<HealthReport> {
  const checkedAt = new Date().toISOString();
  try {
    const timeoutMs = options.timeoutMs ?? 1000;
    const deadline = Date.now() + timeoutMs;
    const topology = cluster.topology();
    if (!cluster.isOpen || !topology) return { status: 'down', slotsCovered: 0, nodes: [], reason: 'not connected', checkedAt };
    const infos = [...topology.nodes.values()];
    // CLUSTER INFO is asked of every master at the same time as the PINGs, so that one dead node
    // using up the deadline cannot also make the cluster state unknown.
    const stateFromAnyMaster = Promise.any(
      topology.masters.map((master) =>
        byDeadline(cluster.sendToNode(master.address, ['CLUSTER', 'INFO'], timeoutMs), deadline, lateAnswer).then(
          (text) => parseClusterInfo(String(text)).state,
        ),
      ),
    ).catch(() => undefined);
    const nodes = await Promise.all(
      infos.map(async (info): Promise<NodeHealth> => {
        const started = performance.now();
        try {
          await byDeadline(cluster.sendToNode(info.address, ['PING'], timeoutMs), deadline, lateAnswer);
          return { address: info.address, role: info.role, status: 'up', latencyMs: Math.round((performance.now() - started) * 100) / 100 };
        } catch (error) {
          return { address: info.address, role: info.role, status: 'down', error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    // Listed by the cluster but serving nothing: not pinged (no connection is opened to them).
    for (const info of topology.unavailable) {
      nodes.push(
        info.health === 'loading'
          ? { address: info.address, role: info.role, status: 'loading' }
          : { address: info.address, role: info.role, status: 'down', error: 'marked failed by the cluster' },
      );
    }
    const clusterState = await stateFromAnyMaster;
    const slotsCovered = topology.coveredSlots;
    const base = { ...(clusterState ? { clusterState } : {}), slotsCovered, nodes, checkedAt };
    const servesSlots = new Set(topology.shards.filter((shard) => shard.ranges.length > 0).map((shard) => shard.master.address));
    const mastersDown = nodes.filter((n) => n.role === 'master' && n.status === 'down' && servesSlots.has(n.address));
    if (mastersDown.length > 0) return { status: 'down', ...base, reason: `master(s) not answering: ${mastersDown.map((n) => n.address).join(', ')}` };
    if (clusterState !== 'ok') return { status: 'down', ...base, reason: `cluster_state is ${clusterState ?? 'unknown'}` };
    if (cluster.requireFullCoverage && slotsCovered < SLOT_COUNT) return { status: 'down', ...base, reason: `only ${slotsCovered} of ${SLOT_COUNT} slots are served` };
    const replicasDown = nodes.filter((n) => n.role === 'replica' && n.status === 'down');
    if (replicasDown.length > 0) return { status: 'degraded', ...base, reason: `replica(s) not answering: ${replicasDown.map((n) => n.address).join(', ')}` };
    const slotlessDown = nodes.filter((n) => n.status === 'down');
    if (slotlessDown.length > 0) return { status: 'degraded', ...base, reason: `master(s) without slots not answering or failed: ${slotlessDown.map((n) => n.address).join(', ')}` };
    const loading = nodes.filter((n) => n.status === 'loading');
    if (loading.length > 0) return { status: 'degraded', ...base, reason: `replica(s) loading: ${loading.map((n) => n.address).join(', ')}` };
    return { status: 'up', ...base };
  } catch (error) {
    return { status: 'down', slotsCovered: 0, nodes: [], reason: error instanceof Error ? error.message : String(error), checkedAt };
  }
}
