/**
 * Atomic slot migration on the newer servers, driven through the harness's raw connections:
 * - Redis 8.4+: `CLUSTER MIGRATION IMPORT <start> <end>` sent to the destination master; progress in
 *   `CLUSTER MIGRATION STATUS ID <id>` (state `completed` / `failed` / `canceled`).
 * - Valkey 9: `CLUSTER MIGRATESLOTS SLOTSRANGE <start> <end> NODE <dest-id>` sent to the source master; progress in
 *   `CLUSTER GETSLOTMIGRATIONS` on the source (state `success` / `failed` / `cancelled`).
 * Both end when the destination owns the range; `waitOwnership` then waits until every node agrees.
 */
import { clusterNodes, nodeCommand, serverInfo, type TestCluster } from './servers.js';

export interface AtomicMigrationResult {
  /** How the server names it: the Redis task id, or the Valkey job name. */
  id: string;
  /** From the command to the final state on the server, in ms (as polled). */
  ms: number;
  /** The server's own report (key/value pairs of the status entry). */
  status: Record<string, string>;
}

/** A flat [k1, v1, k2, v2, …] reply (or a RESP3 map) as a record of strings. */
function pairs(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = Array.isArray(reply[i + 1]) ? JSON.stringify(reply[i + 1]) : String(reply[i + 1]);
  }
  return out;
}

async function poll<T>(check: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** True when the running server can migrate slots atomically (Redis >= 8.4, Valkey >= 9). */
export function supportsAtomicMigration(): boolean {
  const s = serverInfo();
  if (s.flavour === 'valkey') return s.major >= 9;
  if (s.flavour === 'redis') {
    const [major, minor] = s.version.split('.').map(Number) as [number, number];
    return major > 8 || (major === 8 && minor >= 4);
  }
  return false;
}

/**
 * Moves slots `start..end` from the master on `fromPort` to the master on `toPort` with the server's atomic slot
 * migration, and resolves once the server reports it finished (rejects if it failed or was cancelled).
 */
export async function migrateSlotsAtomically(fromPort: number, toPort: number, start: number, end: number, timeoutMs = 60_000): Promise<AtomicMigrationResult> {
  const started = Date.now();
  if (serverInfo().flavour === 'valkey') {
    const destId = String(await nodeCommand(toPort, 'CLUSTER', 'MYID'));
    const before = new Set(((await nodeCommand(fromPort, 'CLUSTER', 'GETSLOTMIGRATIONS')) as unknown[]).map((e) => pairs(e).name));
    await nodeCommand(fromPort, 'CLUSTER', 'MIGRATESLOTS', 'SLOTSRANGE', start, end, 'NODE', destId);
    const status = await poll(
      async () => {
        const jobs = ((await nodeCommand(fromPort, 'CLUSTER', 'GETSLOTMIGRATIONS')) as unknown[]).map(pairs);
        const job = jobs.find((j) => !before.has(j.name) && j.slot_ranges === `${start}-${end}`);
        if (!job) return undefined;
        if (job.state === 'failed' || job.state === 'cancelled') throw new Error(`valkey slot migration ${job.name} ${job.state}: ${job.message}`);
        return job.state === 'success' ? job : undefined;
      },
      `CLUSTER MIGRATESLOTS ${start}-${end} to finish`,
      timeoutMs,
    );
    return { id: status.name ?? '?', ms: Date.now() - started, status };
  }
  const id = String(await nodeCommand(toPort, 'CLUSTER', 'MIGRATION', 'IMPORT', start, end));
  const status = await poll(
    async () => {
      const reply = (await nodeCommand(toPort, 'CLUSTER', 'MIGRATION', 'STATUS', 'ID', id)) as unknown[];
      const task = pairs(Array.isArray(reply[0]) ? reply[0] : reply);
      if (task.state === 'failed' || task.state === 'canceled') throw new Error(`redis slot migration ${id} ${task.state}: ${task.last_error}`);
      return task.state === 'completed' ? task : undefined;
    },
    `CLUSTER MIGRATION IMPORT ${start}-${end} to complete`,
    timeoutMs,
  );
  return { id, ms: Date.now() - started, status };
}

/** Resolves once every reachable node of `cluster` says the master on `port` owns all of `start..end`. */
export async function waitOwnership(cluster: TestCluster, port: number, start: number, end: number, timeoutMs = 20_000): Promise<void> {
  await poll(
    async () => {
      for (const p of cluster.ports) {
        const view = await clusterNodes(p).catch(() => undefined);
        if (!view) continue;
        const owner = view.find((n) => n.port === port);
        if (!owner?.slots.some(([a, b]) => a <= start && b >= end)) return undefined;
      }
      return true;
    },
    `every node to see ${start}-${end} on ${port}`,
    timeoutMs,
  );
}
