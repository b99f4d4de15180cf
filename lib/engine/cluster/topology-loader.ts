import { NodeConnection } from '../connection/node-connection.js';
import type { ResolvedNodeConnectionOptions } from '../connection/connection-options.js';
import { ClientClosedError, ProtocolError } from '../errors/base.error.js';
import { AuthError, ConnectTimeoutError, ConnectionError, TlsError } from '../errors/connection.error.js';
import { ReplyError } from '../errors/reply.error.js';
import type { SeedFailure } from '../errors/cluster.error.js';
import { parseClusterShards, parseClusterSlots, type ParseContext } from './topology-parse.js';
import type { ClusterNodeInfo, Topology } from './topology.js';
import type { RespValue } from '../resp/types.js';

/**
 * Reads the topology from one node: CLUSTER SHARDS (health-aware, hostnames), falling back to
 * CLUSTER SLOTS when the server does not know SHARDS.
 * @internal
 */
export async function fetchTopology(connection: NodeConnection, context: ParseContext): Promise<Topology> {
  try {
    return parseClusterShards(await connection.sendCommand(['CLUSTER', 'SHARDS']), context);
  } catch (error) {
    if (!(error instanceof ReplyError) || !/unknown subcommand|unknown command/i.test(error.message)) throw error;
    return parseClusterSlots(await connection.sendCommand(['CLUSTER', 'SLOTS']), context);
  }
}

/** Short classification of why a seed failed, for TopologyError. @internal */
export function classifySeedFailure(error: unknown): SeedFailure['reason'] {
  if (error instanceof AuthError) return 'auth';
  if (error instanceof TlsError) return 'tls';
  if (error instanceof ConnectTimeoutError) return 'timeout';
  if (error instanceof ProtocolError) return 'protocol';
  if (error instanceof ReplyError && /cluster support disabled/i.test(error.message)) return 'not-cluster';
  if (error instanceof ConnectionError) {
    const code = (error.cause as { code?: string } | undefined)?.code;
    if (code === 'ECONNREFUSED') return 'refused';
    if (code === 'ETIMEDOUT') return 'timeout';
  }
  if (error instanceof Error && error.name === 'CommandTimeoutError') return 'timeout';
  return 'other';
}

/**
 * Asks every seed at once over a throw-away connection (no reconnects) and resolves with the first
 * topology obtained; rejects with every seed's failure when none answers. The other seeds'
 * connections are destroyed as soon as one answered; `signal` (the client closing) destroys every
 * one of them at once and rejects with ClientClosedError.
 * @internal
 */
export function fetchFromSeeds(
  seeds: readonly ResolvedNodeConnectionOptions[],
  contextFor: (seed: ResolvedNodeConnectionOptions) => ParseContext,
  signal?: AbortSignal,
  /** Told each seed connection before it connects (observability of its connection attempt). */
  onSeedConnection?: (connection: NodeConnection) => void,
): Promise<Topology> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ClientClosedError());
    const failures: SeedFailure[] = new Array(seeds.length);
    const open = new Set<NodeConnection>();
    let failed = 0;
    let done = false;
    const finish = () => {
      signal?.removeEventListener('abort', abort);
      for (const connection of open) void connection.destroy();
      open.clear();
    };
    const abort = () => {
      if (done) return;
      done = true;
      finish();
      reject(new ClientClosedError());
    };
    signal?.addEventListener('abort', abort, { once: true });
    seeds.forEach((seed, index) => {
      const connection = new NodeConnection({ ...seed, reconnectStrategy: false as const, pingInterval: 0, maxQueueLength: 10 }, true);
      open.add(connection);
      connection.on('error', () => undefined);
      onSeedConnection?.(connection);
      connection
        .connect()
        .then(() => fetchTopology(connection, contextFor(seed)))
        .then(
          (topology) => {
            if (!done) {
              done = true;
              finish();
              resolve(topology);
            }
          },
          (error: unknown) => {
            failures[index] = { address: `${seed.host}:${seed.port}`, reason: classifySeedFailure(error), error };
            if (++failed === seeds.length && !done) {
              done = true;
              finish();
              reject(failures);
            }
          },
        )
        .finally(() => {
          open.delete(connection);
          void connection.destroy();
        });
    });
  });
}

/**
 * Asks each replica in `replicas` (reported `loading`) for ROLE over a throw-away connection and
 * returns the addresses whose link to their master is up (`connected`): such a replica is serving.
 * Redis 7.0 reports every replica of a fresh, empty cluster as `loading` while its replication
 * offset is 0. Each probe is bounded by `probeTimeoutMs`; `signal` ends them all at once.
 * @internal
 */
export async function confirmServingReplicas(
  replicas: readonly ClusterNodeInfo[],
  optionsFor: (node: ClusterNodeInfo) => ResolvedNodeConnectionOptions,
  probeTimeoutMs: number,
  signal: AbortSignal,
): Promise<Set<string>> {
  const serving = new Set<string>();
  await Promise.all(
    replicas.map(async (replica) => {
      if (signal.aborted) return;
      const connection = new NodeConnection(
        { ...optionsFor(replica), reconnectStrategy: false as const, pingInterval: 0, maxQueueLength: 10, connectTimeout: probeTimeoutMs, commandTimeout: probeTimeoutMs },
        true,
      );
      connection.on('error', () => undefined);
      const abort = () => void connection.destroy();
      signal.addEventListener('abort', abort, { once: true });
      try {
        await connection.connect();
        const role = await connection.sendCommand<RespValue[]>(['ROLE']);
        if (Array.isArray(role) && String(role[0]) === 'slave' && String(role[3]) === 'connected') serving.add(replica.address);
      } catch {
        // Not confirmed: stays unavailable until the next check.
      } finally {
        signal.removeEventListener('abort', abort);
        void connection.destroy();
      }
    }),
  );
  return serving;
}
