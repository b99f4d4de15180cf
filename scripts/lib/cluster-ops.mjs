// Cluster creation (redis-cli --cluster create), CLUSTER NODES parsing and health checks.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { assertPortsFree, busPort, nodeAlive, readNodeRecord, startNode, stopNode } from './node.mjs';
import { parseInfo, pipeline, RedisReplyError } from './resp.mjs';
import { HarnessError, HOST, waitFor, which } from './util.mjs';

export const SLOT_COUNT = 16384;

/**
 * Parses CLUSTER NODES. Each entry: { id, host, port, busPort, hostname, address, flags, myself, role, masterId,
 * failed, pingSent, pongRecv, configEpoch, linkState, slots: [[start, end]], migrating: [{ slot, nodeId }],
 * importing: [{ slot, nodeId }] }.
 */
export function parseClusterNodes(text) {
  const nodes = [];
  for (const line of String(text).split('\n')) {
    const parts = line.trim().split(' ');
    if (parts.length < 8) continue;
    const [id, addr, flagStr, master, pingSent, pongRecv, epoch, linkState, ...slotParts] = parts;
    // ip:port@cport[,hostname]
    const [hostPort, hostname = ''] = addr.split(',');
    const at = hostPort.indexOf('@');
    const hp = at >= 0 ? hostPort.slice(0, at) : hostPort;
    const colon = hp.lastIndexOf(':');
    const flags = flagStr.split(',');
    const node = {
      id,
      host: hp.slice(0, colon),
      port: Number(hp.slice(colon + 1)),
      busPort: at >= 0 ? Number(hostPort.slice(at + 1)) : 0,
      hostname,
      address: hp,
      flags,
      myself: flags.includes('myself'),
      role: flags.includes('master') ? 'master' : flags.includes('slave') || flags.includes('replica') ? 'replica' : 'unknown',
      masterId: master === '-' ? null : master,
      failed: flags.includes('fail') || flags.includes('fail?'),
      pingSent: Number(pingSent),
      pongRecv: Number(pongRecv),
      configEpoch: Number(epoch),
      linkState,
      slots: [],
      migrating: [],
      importing: [],
    };
    for (const s of slotParts) {
      let m;
      if ((m = /^\[(\d+)->-([0-9a-f]+)\]$/.exec(s))) node.migrating.push({ slot: Number(m[1]), nodeId: m[2] });
      else if ((m = /^\[(\d+)-<-([0-9a-f]+)\]$/.exec(s))) node.importing.push({ slot: Number(m[1]), nodeId: m[2] });
      else if ((m = /^(\d+)-(\d+)$/.exec(s))) node.slots.push([Number(m[1]), Number(m[2])]);
      else if (/^\d+$/.test(s)) node.slots.push([Number(s), Number(s)]);
    }
    nodes.push(node);
  }
  return nodes;
}

/** A canonical string for a CLUSTER SLOTS reply (ranges, master id and replica ids), to compare views. */
export function slotsSignature(reply) {
  if (!Array.isArray(reply)) return String(reply);
  return reply
    .map((r) => {
      const [start, end, master, ...replicas] = r;
      return `${start}-${end}@${master?.[2]}[${replicas.map((x) => x[2]).sort().join(',')}]`;
    })
    .sort((a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0]))
    .join(' ');
}

/** A canonical string for a CLUSTER NODES view: every node's id, role, master and slots (and whether it failed). */
export function nodesSignature(nodes) {
  return nodes
    .map((n) => `${n.id}:${n.role}:${n.masterId ?? '-'}:${n.flags.includes('fail') ? 'F' : ''}:${n.slots.map(([a, b]) => `${a}-${b}`).join(',')}`)
    .sort()
    .join(' ');
}

/** One node's view: { port, reachable, error?, info, slotsSig, slotsReply, nodes, myself, repl }. */
export async function probeNode(port, { timeoutMs = 1500 } = {}) {
  try {
    const [info, slots, nodes, repl] = await pipeline(
      port,
      [['CLUSTER', 'INFO'], ['CLUSTER', 'SLOTS'], ['CLUSTER', 'NODES'], ['INFO', 'replication']],
      { timeoutMs },
    );
    for (const r of [info, slots, nodes, repl]) if (r instanceof RedisReplyError) throw r;
    const parsed = parseClusterNodes(nodes);
    return {
      nodesSig: nodesSignature(parsed),
      port,
      reachable: true,
      info: parseInfo(info),
      slotsReply: slots,
      slotsSig: slotsSignature(slots),
      nodes: parsed,
      myself: parsed.find((n) => n.myself),
      repl: parseInfo(repl),
    };
  } catch (err) {
    return { port, reachable: false, error: err.message };
  }
}

/**
 * Checks a cluster. Options:
 *  - expectMasters (default 3), replicasPerMaster (default 1): the shape; null to skip;
 *  - skipUnreachable (default false): nodes that refuse connections are treated as dead and ignored (their
 *    failure must be known to the others); otherwise every port must answer;
 *  - requireSync (default true): every live replica reports master_link_status:up;
 *  - requireStable (default true): no slot in MIGRATING/IMPORTING state.
 * Returns { ok, problems: string[], probes }.
 */
export async function clusterHealth(ports, opts = {}) {
  const { expectMasters = 3, replicasPerMaster = 1, skipUnreachable = false, requireSync = true, requireStable = true } = opts;
  const probes = await Promise.all(ports.map((p) => probeNode(p)));
  const problems = [];
  const live = probes.filter((p) => p.reachable);
  for (const p of probes) {
    if (!p.reachable && !(skipUnreachable && /ECONNREFUSED|closed/.test(p.error))) problems.push(`${p.port}: unreachable (${p.error})`);
  }
  if (!live.length) return { ok: false, problems: problems.length ? problems : ['no reachable node'], probes };
  const livePorts = new Set(live.map((p) => p.port));
  for (const p of live) {
    if (p.info.cluster_state !== 'ok') problems.push(`${p.port}: cluster_state:${p.info.cluster_state}`);
    if (requireSync && p.myself?.role === 'replica') {
      if (p.repl.master_link_status !== 'up') problems.push(`${p.port}: replica master_link_status:${p.repl.master_link_status}`);
      else if (p.repl.master_sync_in_progress === '1') problems.push(`${p.port}: replica sync in progress`);
    }
    if (requireStable && p.myself && (p.myself.migrating.length || p.myself.importing.length)) {
      problems.push(`${p.port}: slots migrating/importing`);
    }
    for (const other of livePorts) {
      const view = p.nodes.find((n) => n.port === other);
      if (!view) problems.push(`${p.port}: does not know ${other}`);
      else if (view.failed || view.flags.includes('handshake') || view.flags.includes('noaddr')) {
        problems.push(`${p.port}: sees ${other} as ${view.flags.join(',')}`);
      }
    }
    for (const dead of ports.filter((x) => !livePorts.has(x))) {
      const view = p.nodes.find((n) => n.port === dead);
      if (view && view.role === 'master' && view.slots.length) problems.push(`${p.port}: dead ${dead} still owns slots`);
    }
  }
  const sigs = new Set(live.map((p) => p.slotsSig));
  if (sigs.size > 1) problems.push(`nodes disagree on CLUSTER SLOTS (${sigs.size} distinct views)`);
  const nodeSigs = new Set(live.map((p) => p.nodesSig));
  if (nodeSigs.size > 1) problems.push(`nodes disagree on CLUSTER NODES roles/slots (${nodeSigs.size} distinct views)`);
  if (expectMasters !== null) {
    const view = live[0].nodes.filter((n) => !n.failed);
    const masters = view.filter((n) => n.role === 'master' && n.slots.length);
    const covered = masters.reduce((acc, m) => acc + m.slots.reduce((a, [s, e]) => a + e - s + 1, 0), 0);
    if (masters.length !== expectMasters) problems.push(`${masters.length} masters with slots, expected ${expectMasters}`);
    if (covered !== SLOT_COUNT) problems.push(`${covered}/${SLOT_COUNT} slots covered`);
    if (replicasPerMaster !== null) {
      for (const m of masters) {
        const n = view.filter((r) => r.role === 'replica' && r.masterId === m.id).length;
        if (n !== replicasPerMaster) problems.push(`master ${m.port} has ${n} replicas, expected ${replicasPerMaster}`);
      }
    }
  }
  return { ok: problems.length === 0, problems, probes };
}

/** Polls clusterHealth() until ok; throws with the last problems after timeoutMs. */
export async function waitClusterHealthy(ports, opts = {}) {
  const { timeoutMs = 30_000, intervalMs = 50, ...healthOpts } = opts;
  let last;
  await waitFor(
    async () => {
      last = await clusterHealth(ports, healthOpts);
      return last.ok;
    },
    { timeoutMs, intervalMs, what: `cluster ${ports.join(',')} to be healthy`, describe: () => (last?.problems ?? []).join('\n') },
  );
  return last;
}

function execFileP(file, args, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const e = new HarnessError(`${file} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`.trim());
        reject(e);
      } else resolve(String(stdout));
    });
  });
}

/** `redis-cli --cluster create` with one replica per master. The pairing is redis-cli's choice: read it back. */
export async function createCluster(ports, { redisCli = which('redis-cli'), replicas = 1 } = {}) {
  if (!redisCli) throw new HarnessError('redis-cli not found on PATH (run: node scripts/cluster.mjs install)');
  const out = await execFileP(redisCli, [
    '--cluster', 'create', ...ports.map((p) => `${HOST}:${p}`),
    '--cluster-replicas', String(replicas),
    '--cluster-yes',
  ]);
  if (!/All 16384 slots covered/.test(out)) throw new HarnessError(`redis-cli --cluster create did not cover all slots:\n${out}`);
  return out;
}

/**
 * Starts `ports.length` cluster nodes under baseDir/<port> in parallel, runs `redis-cli --cluster create`, and
 * waits until every node is ok, all agree on CLUSTER SLOTS and every replica is in sync.
 * Returns { ports, baseDir, nodes: records, createMs }.
 */
export async function startCluster({ ports, baseDir, bin, redisCli, nodeTimeoutMs, timeoutMs = 60_000, extraArgs }) {
  await assertPortsFree([...ports, ...ports.map((p) => busPort(p))]);
  const started = [];
  try {
    await Promise.all(
      ports.map(async (port) => {
        const rec = await startNode({ port, dir: join(baseDir, String(port)), cluster: true, bin, nodeTimeoutMs, extraArgs });
        started.push(rec);
      }),
    );
    const t0 = Date.now();
    await createCluster(ports, { redisCli });
    await waitClusterHealthy(ports, { timeoutMs });
    started.sort((a, b) => a.port - b.port);
    return { ports, baseDir, nodes: started, createMs: Date.now() - t0 };
  } catch (err) {
    await Promise.all(started.map((r) => stopNode(r.dir, { port: r.port })));
    throw err;
  }
}

/** Stops every node recorded under baseDir/<port> (by PID) and, with remove, deletes baseDir. */
export async function stopCluster({ ports, baseDir, signal = 'SIGKILL', remove = false }) {
  const stopped = [];
  await Promise.all(
    ports.map(async (port) => {
      const pid = await stopNode(join(baseDir, String(port)), { signal, port });
      if (pid) stopped.push({ port, pid });
    }),
  );
  if (remove) rmSync(baseDir, { recursive: true, force: true });
  return stopped.sort((a, b) => a.port - b.port);
}

/** Per-node status rows: { port, pid, alive, role, slots, masterPort, clusterState, error? }. */
export async function clusterStatus({ ports, baseDir }) {
  return Promise.all(
    ports.map(async (port) => {
      const dir = join(baseDir, String(port));
      const rec = readNodeRecord(dir);
      const pid = rec?.pid ?? null;
      const alive = rec ? nodeAlive(dir, port) : false;
      const row = { port, pid, alive, role: '-', slots: [], masterPort: null, clusterState: '-' };
      if (!alive) return row;
      const p = await probeNode(port);
      if (!p.reachable) return { ...row, error: p.error };
      const me = p.myself;
      row.role = me?.role ?? '?';
      row.slots = me?.slots ?? [];
      row.clusterState = p.info.cluster_state;
      if (me?.masterId) row.masterPort = p.nodes.find((n) => n.id === me.masterId)?.port ?? null;
      row.migrating = me?.migrating ?? [];
      row.importing = me?.importing ?? [];
      return row;
    }),
  );
}
