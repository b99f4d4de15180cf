import { commandPolicy, type CommandPolicy } from '../commands/command-info.js';
import { UnsupportedCommandError } from '../errors/base.error.js';
import { NodeFanOutError, type NodeOutcome } from '../errors/fan-out.error.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import type { SplitPolicy } from '../commands/command-definition.js';
import { aggregateReplies } from './policy-aggregate.js';
import type { ClusterNodeInfo, Topology } from './topology.js';

/**
 * Cluster-wide commands: routing by the command table's request policy.
 *
 * - `all_shards` (FLUSHALL, FLUSHDB, DBSIZE, KEYS, RANDOMKEY, SCRIPT EXISTS/KILL, FUNCTION
 *   LOAD/DELETE/FLUSH/RESTORE/KILL, MEMORY PURGE…): sent to every master;
 * - `all_nodes` (SCRIPT LOAD/FLUSH, CONFIG SET/RESETSTAT/REWRITE, ACL SETUSER/DELUSER/SAVE,
 *   SLOWLOG…, LATENCY RESET): sent to every master and every replica;
 * and the replies combined by the response policy (see aggregateReplies). A failure on any node
 * (on every node for `one_succeeded`) rejects with NodeFanOutError listing each node's outcome.
 *
 * Left on one node, as before: PING (a liveness check), commands whose combined reply has no
 * generic form (`special`: INFO, MEMORY STATS/DOCTOR, LATENCY DOCTOR/GRAPH/HISTORY…, FUNCTION
 * STATS; use `executeOnNodes` for them), and CLIENT SETNAME/SETINFO (state of one connection).
 * Refused: WAIT/WAITAOF without a key (use `waitReplicas`/`waitAof`), and SCAN (a cursor belongs
 * to one node: use `scanIterator()` or `nodeClient(node).scan()`).
 * @internal
 */
export type ClusterRoute =
  | { readonly kind: 'fan-out'; readonly policy: CommandPolicy; readonly replicas: boolean }
  /** `multi_shard` key lists (DEL, EXISTS, UNLINK, TOUCH, MGET, MSET): one sub-command per slot, replies recomposed. */
  | { readonly kind: 'split'; readonly split: SplitPolicy; readonly step: number }
  | { readonly kind: 'refuse'; readonly error: Error };

/**
 * The `multi_shard` commands whose arguments are plain key (or key-value) lists, and how their
 * replies recompose (`agg_sum` → sum, `all_succeeded` → OK, MGET's ordered values → concat). MSETEX
 * (movable keys after a count) is not split: a cross-slot MSETEX is refused with CROSSSLOT.
 */
const SPLITS = new Map<string, { readonly kind: 'split'; readonly split: SplitPolicy; readonly step: number }>([
  ['DEL', { kind: 'split', split: 'sum', step: 1 }],
  ['UNLINK', { kind: 'split', split: 'sum', step: 1 }],
  ['EXISTS', { kind: 'split', split: 'sum', step: 1 }],
  ['TOUCH', { kind: 'split', split: 'sum', step: 1 }],
  ['MGET', { kind: 'split', split: 'concat', step: 1 }],
  ['MSET', { kind: 'split', split: 'all-ok', step: 2 }],
]);

/** Commands split per slot when their keys span slots (see {@link ClusterRoute}). @internal */
export const SPLIT_COMMANDS: readonly string[] = [...SPLITS.keys()];

/** Kept on one node even though the table gives them a cluster-wide request policy. */
const SINGLE_NODE = new Set(['PING', 'CLIENT SETNAME', 'CLIENT SETINFO']);
/** Response policies that have a generic combined reply. */
const COMBINABLE = new Set([undefined, 'all_succeeded', 'one_succeeded', 'agg_sum', 'agg_min', 'agg_max', 'agg_logical_and', 'agg_logical_or']);

/** How the cluster must route `argv`, when not by slot; undefined for ordinary commands. Never throws. */
export function clusterRoute(argv: readonly RedisArgument[]): ClusterRoute | undefined {
  const policy = commandPolicy(argv);
  if (policy === undefined) return undefined;
  switch (policy.command) {
    case 'WAIT':
    case 'WAITAOF':
      return {
        kind: 'refuse',
        error: new UnsupportedCommandError(
          `${policy.command} without a key cannot be routed: it must run on the connection that carried the writes; use cluster.${policy.command === 'WAIT' ? 'waitReplicas' : 'waitAof'}(key, …) (also on pipelines)`,
        ),
      };
    case 'SCAN':
      return {
        kind: 'refuse',
        error: new UnsupportedCommandError('SCAN on a cluster has no single cursor: use cluster.scanIterator() (every master), or cluster.nodeClient(node).scan() for one node'),
      };
  }
  if (SINGLE_NODE.has(policy.command)) return undefined;
  if (policy.request === 'multi_shard') return SPLITS.get(policy.command);
  if (policy.request !== 'all_shards' && policy.request !== 'all_nodes') return undefined;
  if (policy.response === 'special' ? policy.command !== 'RANDOMKEY' : !COMBINABLE.has(policy.response)) return undefined;
  return { kind: 'fan-out', policy, replicas: policy.request === 'all_nodes' };
}

/** What the fan-out needs from the client. @internal */
export interface FanOutHost {
  /** The current topology, after waiting for the first one (lazy connect). */
  topology(): Promise<Topology>;
  /** Sends `argv` to that node (no redirects). */
  send(node: ClusterNodeInfo, argv: readonly RedisArgument[]): Promise<RespValue>;
}

/**
 * Sends `argv` to every master (and every replica for `all_nodes`) at once and combines the
 * replies; rejects with NodeFanOutError when a node failed (all of them for `one_succeeded`).
 * @internal
 */
export async function executeFanOut(host: FanOutHost, argv: readonly RedisArgument[], route: Extract<ClusterRoute, { kind: 'fan-out' }>): Promise<RespValue> {
  const topology = await host.topology();
  const nodes: ClusterNodeInfo[] = [];
  for (const shard of topology.shards) {
    nodes.push(shard.master);
    if (route.replicas) nodes.push(...shard.replicas);
  }
  const settled = await Promise.allSettled(nodes.map((node) => host.send(node, argv)));
  const outcomes: NodeOutcome[] = settled.map((outcome, i) =>
    outcome.status === 'fulfilled'
      ? { address: nodes[i]!.address, status: 'fulfilled', value: outcome.value }
      : { address: nodes[i]!.address, status: 'rejected', reason: outcome.reason as unknown },
  );
  const replies = settled.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const { command, response } = route.policy;
  const failed = replies.length < settled.length;
  if (nodes.length === 0 || (failed && (response !== 'one_succeeded' || replies.length === 0))) throw new NodeFanOutError(command, outcomes);
  return aggregateReplies(command, response, replies);
}

/** Per typed definition: whether its command can have a cluster route (its name never changes with the arguments). */
const DEFINITION_ROUTES = new WeakMap<object, boolean>();

/**
 * {@link clusterRoute} for the argv of a typed definition, remembering per definition when its
 * command has no cluster route, so ordinary commands (GET, SET…) skip the lookup. Never throws.
 * @internal
 */
export function definitionRoute(def: object, argv: readonly RedisArgument[]): ClusterRoute | undefined {
  const known = DEFINITION_ROUTES.get(def);
  if (known === false) return undefined;
  const route = clusterRoute(argv);
  if (known === undefined) DEFINITION_ROUTES.set(def, route !== undefined);
  return route;
}
