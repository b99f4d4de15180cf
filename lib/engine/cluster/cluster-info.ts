/** `CLUSTER INFO`, parsed. Numeric fields are numbers; every field is also in `raw`. */
export interface ClusterInfo {
  /** `ok` when the cluster serves every slot it should. */
  readonly state: string;
  readonly slotsAssigned: number;
  readonly slotsOk: number;
  readonly slotsPfail: number;
  readonly slotsFail: number;
  readonly knownNodes: number;
  /** Number of masters serving at least one slot. */
  readonly size: number;
  readonly currentEpoch: number;
  readonly myEpoch: number;
  readonly raw: Readonly<Record<string, string>>;
}

/** One line of `CLUSTER NODES`, parsed. */
export interface ClusterNodesEntry {
  readonly id: string;
  /** `host:port` (the client port). */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  readonly busPort: number;
  readonly hostname?: string;
  readonly flags: readonly string[];
  readonly role: 'master' | 'replica';
  readonly myself: boolean;
  /** Id of this replica's master. */
  readonly masterId?: string;
  readonly pingSent: number;
  readonly pongReceived: number;
  readonly configEpoch: number;
  readonly linkState: 'connected' | 'disconnected';
  /** Inclusive slot ranges served by this node. */
  readonly slots: ReadonlyArray<readonly [number, number]>;
  /** Slots being migrated (`[slot->-id]`) or imported (`[slot-<-id]`). */
  readonly migrating: ReadonlyArray<{ readonly slot: number; readonly nodeId: string }>;
  readonly importing: ReadonlyArray<{ readonly slot: number; readonly nodeId: string }>;
}

/** Parses the text of `CLUSTER INFO`. */
export function parseClusterInfo(text: string): ClusterInfo {
  const raw: Record<string, string> = {};
  for (const line of String(text).split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) raw[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  const n = (key: string) => Number(raw[key] ?? 0);
  return {
    state: raw['cluster_state'] ?? 'unknown',
    slotsAssigned: n('cluster_slots_assigned'),
    slotsOk: n('cluster_slots_ok'),
    slotsPfail: n('cluster_slots_pfail'),
    slotsFail: n('cluster_slots_fail'),
    knownNodes: n('cluster_known_nodes'),
    size: n('cluster_size'),
    currentEpoch: n('cluster_current_epoch'),
    myEpoch: n('cluster_my_epoch'),
    raw,
  };
}

/** Parses the text of `CLUSTER NODES`. */
export function parseClusterNodes(text: string): ClusterNodesEntry[] {
  const entries: ClusterNodesEntry[] = [];
  for (const line of String(text).split(/\r?\n/)) {
    if (!line.trim()) continue;
    const [id = '', endpoint = '', flagText = '', master = '-', pingSent = '0', pong = '0', epoch = '0', link = 'connected', ...slotTokens] = line.split(' ');
    // endpoint: host:port@busport[,hostname]
    const [addressPart = '', hostname] = endpoint.split(',');
    const at = addressPart.indexOf('@');
    const hostPort = at >= 0 ? addressPart.slice(0, at) : addressPart;
    const colon = hostPort.lastIndexOf(':');
    const flags = flagText.split(',');
    const slots: Array<[number, number]> = [];
    const migrating: Array<{ slot: number; nodeId: string }> = [];
    const importing: Array<{ slot: number; nodeId: string }> = [];
    for (const token of slotTokens) {
      if (token.startsWith('[')) {
        const m = /^\[(\d+)-([<>])-([0-9a-f]+)\]$/.exec(token);
        if (m) (m[2] === '>' ? migrating : importing).push({ slot: Number(m[1]), nodeId: m[3]! });
        continue;
      }
      const [start, end] = token.split('-');
      if (start !== undefined) slots.push([Number(start), Number(end ?? start)]);
    }
    entries.push({
      id,
      address: hostPort,
      host: hostPort.slice(0, colon),
      port: Number(hostPort.slice(colon + 1)),
      busPort: at >= 0 ? Number(addressPart.slice(at + 1)) : 0,
      ...(hostname ? { hostname } : {}),
      flags,
      role: flags.includes('master') ? 'master' : 'replica',
      myself: flags.includes('myself'),
      ...(master !== '-' ? { masterId: master } : {}),
      pingSent: Number(pingSent),
      pongReceived: Number(pong),
      configEpoch: Number(epoch),
      linkState: link === 'connected' ? 'connected' : 'disconnected',
      slots,
      migrating,
      importing,
    });
  }
  return entries;
}
