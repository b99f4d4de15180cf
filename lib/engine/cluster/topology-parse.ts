import { ProtocolError } from '../errors/base.error.js';
import type { RespValue } from '../resp/types.js';
import { SLOT_COUNT, Topology, type ClusterNodeInfo, type Shard } from './topology.js';

/** Maps an announced `host:port` to the address the client should dial. @internal */
export type AddressMapper = (host: string, port: number) => { host: string; port: number };

/** Where the reply came from, to resolve empty (`unknown-endpoint`) hosts. @internal */
export interface ParseContext {
  /** Host used to reach the node that answered. */
  readonly answeringHost: string;
  /** Use `tls-port` from CLUSTER SHARDS when the node announces one. */
  readonly tls: boolean;
  readonly mapAddress: AddressMapper;
}

function text(value: RespValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString();
  return undefined;
}

function int(value: RespValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

/** RESP3 maps arrive as objects; RESP2 sends the same data as a flat key/value array. */
function record(value: RespValue | undefined): Record<string, RespValue> {
  if (Array.isArray(value)) {
    const out: Record<string, RespValue> = Object.create(null) as Record<string, RespValue>;
    for (let i = 0; i + 1 < value.length; i += 2) out[text(value[i]) ?? String(value[i])] = value[i + 1]!;
    return out;
  }
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value) && !(value instanceof Error)) {
    return value as Record<string, RespValue>;
  }
  throw new ProtocolError('Unexpected shape in cluster topology reply');
}

/**
 * Picks the host to dial: the announced endpoint, the answering node's host when the endpoint is
 * empty or null (`unknown-endpoint`), or the node's IP when the hostname is unknown (`?`).
 */
function chooseHost(endpoint: string | undefined, ip: string | undefined, context: ParseContext): string | undefined {
  if (endpoint === undefined || endpoint === '') return context.answeringHost;
  if (endpoint === '?') return ip && ip !== '?' ? ip : undefined;
  return endpoint;
}

function makeNode(host: string, port: number, role: 'master' | 'replica', context: ParseContext, id?: string, hostname?: string): ClusterNodeInfo {
  const mapped = context.mapAddress(host, port);
  return {
    address: `${mapped.host}:${mapped.port}`,
    host: mapped.host,
    port: mapped.port,
    role,
    ...(id ? { id } : {}),
    ...(hostname ? { hostname } : {}),
  };
}

function checkRange(start: number | undefined, end: number | undefined): [number, number] {
  if (start === undefined || end === undefined || start < 0 || end >= SLOT_COUNT || start > end) {
    throw new ProtocolError('Invalid slot range in cluster topology reply');
  }
  return [start, end];
}

/**
 * Parses `CLUSTER SHARDS` (RESP2 or RESP3). Failed and loading replicas, and failed masters, are
 * not routed to: they are kept as the topology's `unavailable` nodes (with their `health`).
 * @internal
 */
export function parseClusterShards(reply: RespValue, context: ParseContext): Topology {
  if (!Array.isArray(reply)) throw new ProtocolError('CLUSTER SHARDS did not return an array');
  const shards: Shard[] = [];
  const orphans: ClusterNodeInfo[] = [];
  for (const entry of reply) {
    const shard = record(entry);
    const slotList = shard['slots'];
    const nodeList = shard['nodes'];
    if (!Array.isArray(slotList) || !Array.isArray(nodeList)) throw new ProtocolError('CLUSTER SHARDS entry lacks slots or nodes');
    const ranges: Array<[number, number]> = [];
    for (let i = 0; i + 1 < slotList.length; i += 2) ranges.push(checkRange(int(slotList[i]), int(slotList[i + 1])));
    let master: ClusterNodeInfo | undefined;
    const replicas: ClusterNodeInfo[] = [];
    const unavailable: ClusterNodeInfo[] = [];
    for (const rawNode of nodeList) {
      const node = record(rawNode);
      const role = text(node['role']) === 'master' ? 'master' : 'replica';
      const health = text(node['health']) ?? 'online';
      const port = (context.tls ? int(node['tls-port']) : undefined) ?? int(node['port']) ?? int(node['tls-port']);
      const host = chooseHost(text(node['endpoint']), text(node['ip']), context);
      if (port === undefined || host === undefined) continue;
      const info = makeNode(host, port, role, context, text(node['id']), text(node['hostname']) || undefined);
      if (health !== 'online' && (role === 'replica' || ranges.length === 0)) {
        // A replica that is loading or failed, or a failed master without slots (a dead node a
        // failover replaced): listed, never routed to.
        unavailable.push({ ...info, health: health === 'loading' ? 'loading' : 'failed' });
        continue;
      }
      if (role === 'master') {
        if (!master || health === 'online') master = info;
      } else replicas.push(info);
    }
    if (master) shards.push({ master, replicas, ranges, ...(unavailable.length > 0 ? { unavailable } : {}) });
    else orphans.push(...unavailable);
  }
  return new Topology(shards, orphans);
}

/** Parses `CLUSTER SLOTS` (RESP2 or RESP3), merging the ranges of each master. @internal */
export function parseClusterSlots(reply: RespValue, context: ParseContext): Topology {
  if (!Array.isArray(reply)) throw new ProtocolError('CLUSTER SLOTS did not return an array');
  const byMaster = new Map<string, { master: ClusterNodeInfo; replicas: Map<string, ClusterNodeInfo>; ranges: Array<[number, number]> }>();
  for (const entry of reply) {
    if (!Array.isArray(entry) || entry.length < 3) throw new ProtocolError('CLUSTER SLOTS entry has an unexpected shape');
    const range = checkRange(int(entry[0]), int(entry[1]));
    const nodes: ClusterNodeInfo[] = [];
    for (let i = 2; i < entry.length; i++) {
      const raw = entry[i];
      if (!Array.isArray(raw) || raw.length < 2) continue;
      const extra = raw.length > 3 ? record(raw[3]) : undefined;
      const host = chooseHost(text(raw[0]) ?? '', text(extra?.['ip']), context);
      const port = int(raw[1]);
      if (host === undefined || port === undefined) continue;
      nodes.push(makeNode(host, port, i === 2 ? 'master' : 'replica', context, text(raw[2]), text(extra?.['hostname'])));
    }
    const master = nodes[0];
    if (!master) continue;
    let group = byMaster.get(master.address);
    if (!group) byMaster.set(master.address, (group = { master, replicas: new Map(), ranges: [] }));
    group.ranges.push(range);
    for (const replica of nodes.slice(1)) group.replicas.set(replica.address, replica);
  }
  return new Topology([...byMaster.values()].map((g) => ({ master: g.master, replicas: [...g.replicas.values()], ranges: g.ranges })));
}
