/**
 * Test servers started by test/support/global-setup.mjs, and helpers to observe and break them.
 *
 * Ports: main cluster 30001-30006, chaos cluster 30101-30106 (kill / fail over / reshard only here), standalone 30201,
 * TLS 30202 (TLS only, CN=localhost, CA in `testServers().tls.caFile`), ACL 30203 (user app / app-secret).
 *
 * Every helper polls real state (no fixed sleeps). Node processes are controlled by recorded PID only.
 * The heavy lifting is in scripts/lib/*.mjs (shared with the dev cluster CLI), loaded with a dynamic import.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------------------------------------------
// servers.json

export interface NodeRecord {
  port: number;
  /** PID at setup time; `currentPid(port)` has the live one after restarts. */
  pid: number;
  dir: string;
  /** redis-server argv (restartNode reuses it). */
  args: string[];
  logFile: string;
}

export interface TestCluster {
  name: 'main' | 'chaos';
  host: '127.0.0.1';
  /** 6 ports; the master/replica pairing is redis-cli's choice: use mastersAndReplicas(). */
  ports: number[];
  baseDir: string;
  nodes: NodeRecord[];
}

export interface TlsServerRecord extends NodeRecord {
  /** Same as `port`: the node has no plaintext port. */
  tlsPort: number;
  /** Server certificate names: CN=localhost, SAN DNS:localhost, IP:127.0.0.1. */
  servername: 'localhost';
  certsDir: string;
  /** CA that signed the server and client certs. */
  caFile: string;
  /** Server cert/key (what redis-server uses). */
  certFile: string;
  keyFile: string;
  /** Client cert/key signed by caFile, for mutual TLS (the node runs with --tls-auth-clients no, so optional). */
  clientCertFile: string;
  clientKeyFile: string;
  /** An unrelated CA: verifying the server with it must fail. */
  wrongCaFile: string;
}

export interface AclServerRecord extends NodeRecord {
  /** `user default off`; this user has `on >app-secret ~* &* +@all`. */
  username: 'app';
  password: 'app-secret';
  aclFile: string;
}

export interface TestServers {
  version: 1;
  host: '127.0.0.1';
  stateDir: string;
  file: string;
  ownerPid: number;
  startedAt: string;
  setupMs: number;
  redisVersion: string;
  /** The server under test (NRC_REDIS_BIN_DIR, default Debian's redis-server on PATH). */
  server: ServerInfo;
  bin: { redisServer: string; redisCli: string; openssl: string | null };
  /** cluster-node-timeout of every cluster node (ms). */
  nodeTimeoutMs: number;
  clusters: { main: TestCluster; chaos: TestCluster };
  standalone: NodeRecord;
  tls: TlsServerRecord;
  acl: AclServerRecord;
}

/** Which server the test servers run. */
export interface ServerInfo {
  flavour: 'redis' | 'valkey' | 'unknown';
  /** "7.0.15", "8.6.3", "9.1.2". */
  version: string;
  major: number;
  /** The NRC_REDIS_BIN_DIR the binaries came from, or null for the redis-server on PATH. */
  binDir: string | null;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** True unless NRC_SKIP_SERVERS=1 (then global setup starts nothing). */
export const serversEnabled = process.env.NRC_SKIP_SERVERS !== '1';

/** `describe` when test servers run, `describe.skip` when NRC_SKIP_SERVERS=1. */
export const describeWithServers: jest.Describe = serversEnabled ? describe : describe.skip;

export function serversFilePath(): string {
  return process.env.NRC_TEST_SERVERS_FILE ?? join(REPO_ROOT, '.test-servers', 'servers.json');
}

/** Reads .test-servers/servers.json (fresh on every call). */
export function testServers(): TestServers {
  const file = serversFilePath();
  if (!existsSync(file)) {
    throw new Error(
      `${file} not found: the jest global setup did not start the test servers ` +
        `(NRC_SKIP_SERVERS=1, or jest was not run with the project's jest.config.js)`,
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as TestServers;
}

/** The server under test, read from servers.json (servers.json written before `server` existed: from redisVersion). */
export function serverInfo(): ServerInfo {
  const s = testServers();
  if (s.server) return s.server;
  return { flavour: 'redis', version: s.redisVersion, major: Number(s.redisVersion.split('.')[0]) || 0, binDir: null };
}

/** "redis 8.6.3" / "valkey 9.1.2". */
export function serverLabel(info: ServerInfo = serverInfo()): string {
  return `${info.flavour} ${info.version}`;
}

/** A server requirement: which flavours (and from which major) a test needs. */
export interface ServerRequirement {
  /** Accepted flavours with the lowest major of each, e.g. `{ redis: 8, valkey: 9 }`. */
  [flavour: string]: number;
}

/** Why the running server does not meet `need`, or undefined when it does (false when no servers run). */
export function unmetServerReason(need: ServerRequirement, what: string): string | undefined {
  if (!serversEnabled) return undefined;
  const info = serverInfo();
  const min = need[info.flavour];
  if (min !== undefined && info.major >= min) return undefined;
  const wanted = Object.entries(need)
    .map(([f, m]) => `${f} >= ${m}`)
    .join(' or ');
  return `${what} needs ${wanted}; running ${serverLabel(info)} (set NRC_REDIS_BIN_DIR)`;
}

/**
 * `describe` when the test servers meet `need`; otherwise `describe.skip` with the reason in the title (so the
 * skip shows in jest's output, e.g. "[skipped: atomic slot migration needs redis >= 8 or valkey >= 9; running
 * redis 7.0.15]"), and the reason is printed once on stderr. Without servers it behaves like describeWithServers.
 */
export function describeOnServer(need: ServerRequirement, what: string, name: string, fn: () => void): void {
  if (!serversEnabled) {
    describe.skip(name, fn);
    return;
  }
  const reason = unmetServerReason(need, what);
  if (reason === undefined) {
    describe(name, fn);
    return;
  }
  process.stderr.write(`[skip] ${name}: ${reason}\n`);
  describe.skip(`${name} [skipped: ${reason}]`, fn);
}

function allNodes(s: TestServers = testServers()): NodeRecord[] {
  return [...s.clusters.main.nodes, ...s.clusters.chaos.nodes, s.standalone, s.tls, s.acl];
}

function nodeRecord(port: number): NodeRecord {
  const rec = allNodes().find((n) => n.port === port);
  if (!rec) throw new Error(`port ${port} is not a test server`);
  return rec;
}

function clusterOf(port: number): TestCluster | undefined {
  const s = testServers();
  return [s.clusters.main, s.clusters.chaos].find((c) => c.ports.includes(port));
}

function portsOf(cluster: TestCluster | number[]): number[] {
  return Array.isArray(cluster) ? cluster : cluster.ports;
}

// ---------------------------------------------------------------------------------------------------------------
// scripts/lib (plain .mjs): typed facade

type Arg = string | number | Buffer;
interface RawTarget {
  port: number;
  host?: string;
  tls?: true | { ca?: string; cert?: string; key?: string; servername?: string; rejectUnauthorized?: boolean };
  user?: string;
  password?: string;
}
interface Health {
  ok: boolean;
  problems: string[];
}
interface HealthOptions {
  expectMasters?: number | null;
  replicasPerMaster?: number | null;
  skipUnreachable?: boolean;
  requireSync?: boolean;
  requireStable?: boolean;
  timeoutMs?: number;
  intervalMs?: number;
}
interface LibNodeRecord {
  port: number;
  pid: number;
  dir: string;
  args: string[];
  logFile: string;
}
interface HarnessLib {
  pipeline(target: number | RawTarget, commands: Arg[][], opts?: { timeoutMs?: number; buffers?: boolean }): Promise<unknown[]>;
  command(target: number | RawTarget, args: Arg[], opts?: { timeoutMs?: number; buffers?: boolean }): Promise<unknown>;
  RedisReplyError: new (message: string) => Error & { code: string };
  parseClusterNodes(text: string): ClusterNodeInfo[];
  clusterHealth(ports: number[], opts?: HealthOptions): Promise<Health>;
  waitClusterHealthy(ports: number[], opts?: HealthOptions): Promise<Health>;
  restartNode(dir: string, opts?: { wait?: boolean }): Promise<LibNodeRecord>;
  readPid(dir: string): number | null;
  nodeAlive(dir: string, port: number): boolean;
  isStopped(pid: number): boolean;
  killPid(pid: number, opts?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<boolean>;
  startCluster(opts: { ports: number[]; baseDir: string; bin?: string; redisCli?: string }): Promise<{ nodes: LibNodeRecord[] }>;
  stopCluster(opts: { ports: number[]; baseDir: string; signal?: NodeJS.Signals; remove?: boolean }): Promise<unknown>;
  writeJsonAtomic(file: string, value: unknown): void;
  waitFor<T>(
    check: () => T | Promise<T>,
    opts?: { timeoutMs?: number; intervalMs?: number; what?: string; describe?: () => unknown },
  ): Promise<T>;
}

let libPromise: Promise<HarnessLib> | undefined;
function lib(): Promise<HarnessLib> {
  const path = join(REPO_ROOT, 'scripts', 'lib', 'index.mjs');
  libPromise ??= import(path) as Promise<HarnessLib>;
  return libPromise;
}

/** Updates servers.json atomically (read-modify-write) after a restart or a re-creation. */
async function updateServers(mutate: (s: TestServers) => void): Promise<void> {
  const l = await lib();
  const s = testServers();
  mutate(s);
  l.writeJsonAtomic(serversFilePath(), s);
}

// ---------------------------------------------------------------------------------------------------------------
// Talking to nodes

export interface RedisCliOptions {
  port: number;
  host?: string;
  /** true: use the test CA and SNI localhost; or explicit files. */
  tls?: boolean | { ca?: string; cert?: string; key?: string; sni?: string };
  user?: string;
  password?: string;
  /** Start the session with RESP3 (-3). */
  resp3?: boolean;
  /** Resolve with the error text instead of rejecting when the reply is an error. */
  allowError?: boolean;
  timeoutMs?: number;
}

/** Connection details for a test server port: TLS settings for 30202, AUTH for 30203, plain otherwise. */
export function connectionFor(port: number): RawTarget {
  let s: TestServers | undefined;
  try {
    s = testServers();
  } catch {
    return { port };
  }
  if (port === s.tls.port) return { port, tls: { ca: s.tls.caFile, servername: s.tls.servername } };
  if (port === s.acl.port) return { port, user: s.acl.username, password: s.acl.password };
  return { port };
}

/**
 * Runs `redis-cli -h 127.0.0.1 -p <port> -e <args...>` and resolves with its stdout (last newline removed).
 * Error replies reject (unless allowError). A plain port number of the TLS or ACL node gets its TLS/AUTH options.
 */
export function redisCli(target: number | RedisCliOptions, ...args: string[]): Promise<string> {
  const o: RedisCliOptions = typeof target === 'number' ? { port: target } : target;
  const auto = typeof target === 'number' ? connectionFor(target) : undefined;
  // -e: exit code 1 on an error reply (redis-cli 7.0 exits 0 otherwise and prints the error text).
  const cli: string[] = ['-h', o.host ?? '127.0.0.1', '-p', String(o.port), '-e'];
  if (o.resp3) cli.push('-3');
  const tls = o.tls ?? (auto?.tls ? true : undefined);
  if (tls) {
    const s = testServers();
    const t = tls === true ? {} : tls;
    cli.push('--tls', '--cacert', t.ca ?? s.tls.caFile, '--sni', t.sni ?? 'localhost');
    if (t.cert) cli.push('--cert', t.cert);
    if (t.key) cli.push('--key', t.key);
  }
  const user = o.user ?? auto?.user;
  const password = o.password ?? auto?.password;
  if (password !== undefined) {
    if (user !== undefined) cli.push('--user', user);
    cli.push('--pass', password, '--no-auth-warning');
  }
  cli.push(...args);
  let bin = 'redis-cli';
  try {
    bin = testServers().bin.redisCli;
  } catch {
    /* PATH */
  }
  return new Promise((resolvePromise, reject) => {
    execFile(bin, cli, { timeout: o.timeoutMs ?? 10_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const out = String(stdout).replace(/\n$/, '');
      const errText = String(stderr).trim();
      // With -e, an error reply exits 1 and prints the error text on stderr.
      const replyError = err && (err as { code?: unknown }).code === 1 && errText && !/^Could not connect/.test(errText);
      if (replyError && o.allowError) resolvePromise(errText);
      else if (err) reject(new Error(`redis-cli -p ${o.port} ${args.join(' ')}: ${errText || out.trim() || err.message}`));
      else resolvePromise(out);
    });
  });
}

/**
 * Sends one command over a raw RESP2 connection (the harness's tiny client, not the project's) and resolves with
 * the parsed reply: strings, numbers, arrays, null. Error replies reject. TLS/ACL ports get their options.
 */
export async function nodeCommand(target: number | RawTarget, ...args: Arg[]): Promise<unknown> {
  const l = await lib();
  return l.command(typeof target === 'number' ? connectionFor(target) : target, args);
}

// ---------------------------------------------------------------------------------------------------------------
// Cluster topology

export interface ClusterNodeInfo {
  id: string;
  host: string;
  port: number;
  busPort: number;
  hostname: string;
  /** "127.0.0.1:30001" */
  address: string;
  flags: string[];
  myself: boolean;
  role: 'master' | 'replica' | 'unknown';
  masterId: string | null;
  /** flags contain fail or fail? */
  failed: boolean;
  pingSent: number;
  pongRecv: number;
  configEpoch: number;
  linkState: string;
  slots: Array<[number, number]>;
  migrating: Array<{ slot: number; nodeId: string }>;
  importing: Array<{ slot: number; nodeId: string }>;
}

/** Parsed CLUSTER NODES as seen by the node on `port`. */
export async function clusterNodes(port: number): Promise<ClusterNodeInfo[]> {
  const l = await lib();
  return l.parseClusterNodes(String(await l.command(port, ['CLUSTER', 'NODES'], { timeoutMs: 2000 })));
}

export interface Shard {
  master: ClusterNodeInfo;
  replicas: ClusterNodeInfo[];
  slots: Array<[number, number]>;
}

export interface Topology {
  shards: Shard[];
  /** Ports of masters that own slots, sorted. */
  masters: number[];
  /** Ports of (non-failed) replicas, sorted. */
  replicas: number[];
  nodes: ClusterNodeInfo[];
  masterOf(replicaPort: number): number | undefined;
  /** The first replica of a master. */
  replicaOf(masterPort: number): number | undefined;
  /** Port of the master owning `slot`. */
  ownerOf(slot: number): number | undefined;
}

/** The current pairing, read from CLUSTER NODES of the first node that answers (never assumed). */
export async function mastersAndReplicas(cluster: TestCluster | number[]): Promise<Topology> {
  let nodes: ClusterNodeInfo[] | undefined;
  let lastErr: unknown;
  for (const port of portsOf(cluster)) {
    try {
      nodes = await clusterNodes(port);
      break;
    } catch (err) {
      lastErr = err;
    }
  }
  if (!nodes) throw new Error(`no node of ${portsOf(cluster).join(',')} answers: ${String(lastErr)}`);
  const all = nodes;
  const shards: Shard[] = all
    .filter((n) => n.role === 'master' && n.slots.length > 0 && !n.failed)
    .map((m) => ({ master: m, replicas: all.filter((r) => r.role === 'replica' && r.masterId === m.id && !r.failed), slots: m.slots }))
    .sort((a, b) => a.slots[0]![0] - b.slots[0]![0]);
  const byId = new Map(all.map((n) => [n.id, n]));
  return {
    shards,
    masters: shards.map((s) => s.master.port).sort((a, b) => a - b),
    replicas: shards.flatMap((s) => s.replicas.map((r) => r.port)).sort((a, b) => a - b),
    nodes: all,
    masterOf: (replicaPort) => {
      const r = all.find((n) => n.port === replicaPort);
      return r?.masterId ? byId.get(r.masterId)?.port : undefined;
    },
    replicaOf: (masterPort) => shards.find((s) => s.master.port === masterPort)?.replicas[0]?.port,
    ownerOf: (slot) => shards.find((s) => s.slots.some(([a, b]) => slot >= a && slot <= b))?.master.port,
  };
}

// CRC16/XMODEM, as in the Redis Cluster spec.
const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

/** Hash slot of a key (honours {hash tags}). */
export function keySlot(key: string | Buffer): number {
  let buf = typeof key === 'string' ? Buffer.from(key) : key;
  const open = buf.indexOf(0x7b);
  if (open !== -1) {
    const close = buf.indexOf(0x7d, open + 1);
    if (close > open + 1) buf = buf.subarray(open + 1, close);
  }
  let crc = 0;
  for (const byte of buf) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc % 16384;
}

/** `count` distinct keys (prefix + n) that all hash to `slot`. */
export function keysInSlot(slot: number, count: number, prefix = 'k'): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) {
    const k = `${prefix}${i}`;
    if (keySlot(k) === slot) keys.push(k);
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------------------------
// Node control (by recorded PID only)

/** The live PID recorded in the node's dir (updated by restartNode), or null. */
export async function currentPid(port: number): Promise<number | null> {
  return (await lib()).readPid(nodeRecord(port).dir);
}

/** True if the node's recorded redis-server process is running (zombies count as dead). */
export async function isNodeAlive(port: number): Promise<boolean> {
  const rec = nodeRecord(port);
  return (await lib()).nodeAlive(rec.dir, port);
}

interface KilledSnapshot {
  id: string;
  role: ClusterNodeInfo['role'];
  slots: Array<[number, number]>;
  replicaIds: string[];
}
const killedSnapshots = new Map<number, KilledSnapshot>();

/** SIGKILL the node by its recorded PID and wait until it is gone. Records what it owned, for waitForFailoverAfterKill. */
export async function killNode(port: number): Promise<void> {
  const l = await lib();
  const rec = nodeRecord(port);
  const pid = l.readPid(rec.dir);
  if (pid === null || !l.nodeAlive(rec.dir, port)) throw new Error(`node ${port} is not running`);
  if (clusterOf(port) && !l.isStopped(pid)) {
    try {
      const nodes = await clusterNodes(port);
      const me = nodes.find((n) => n.myself);
      if (me) {
        killedSnapshots.set(port, {
          id: me.id,
          role: me.role,
          slots: me.slots,
          replicaIds: nodes.filter((n) => n.masterId === me.id).map((n) => n.id),
        });
      }
    } catch {
      /* not answering: no snapshot */
    }
  }
  if (!(await l.killPid(pid, { signal: 'SIGKILL' }))) throw new Error(`node ${port} (pid ${pid}) did not die`);
}

/** SIGSTOP the node (a frozen process: connections are accepted by the kernel but never answered). */
export async function pauseNode(port: number): Promise<void> {
  const pid = await currentPid(port);
  if (pid === null || !(await isNodeAlive(port))) throw new Error(`node ${port} is not running`);
  process.kill(pid, 'SIGSTOP');
}

/** SIGCONT a node stopped by pauseNode. */
export async function resumeNode(port: number): Promise<void> {
  const pid = await currentPid(port);
  if (pid === null || !(await isNodeAlive(port))) throw new Error(`node ${port} is not running`);
  process.kill(pid, 'SIGCONT');
}

/**
 * Starts a stopped/killed node again with the same argv and dir (AOF and nodes.conf kept), waits until it answers
 * PING (not LOADING), records the new PID, and returns it.
 */
export async function restartNode(port: number): Promise<number> {
  const l = await lib();
  const rec = nodeRecord(port);
  if (l.nodeAlive(rec.dir, port)) throw new Error(`node ${port} is still running`);
  const started = await l.restartNode(rec.dir);
  await updateServers((s) => {
    for (const n of allNodes(s)) if (n.port === port) n.pid = started.pid;
  });
  return started.pid;
}

// ---------------------------------------------------------------------------------------------------------------
// Waiting for cluster states

/**
 * Waits until every live node of `ports` reports cluster_state:ok, all agree on CLUSTER SLOTS and on every node's
 * role/master/slots in CLUSTER NODES, no live node is seen
 * as failing by another, no dead node still owns slots, and every live replica is in sync. Dead nodes (connection
 * refused) are ignored. Default timeout 20 s.
 */
export async function waitForClusterOk(cluster: TestCluster | number[], timeoutMs = 20_000): Promise<void> {
  const l = await lib();
  await l.waitClusterHealthy(portsOf(cluster), { timeoutMs, skipUnreachable: true, expectMasters: null, requireStable: false });
}

async function liveClusterPorts(port: number): Promise<number[]> {
  const c = clusterOf(port);
  if (!c) throw new Error(`port ${port} is not a test cluster node`);
  const out: number[] = [];
  for (const p of c.ports) if (await isNodeAlive(p)) out.push(p);
  return out;
}

/** The owner (port) of `slot` as seen by every live node of the cluster, if they all agree; else undefined. */
async function agreedOwner(ports: number[], slot: number): Promise<number | undefined> {
  const views = await Promise.all(ports.map((p) => clusterNodes(p)));
  const owners = new Set(
    views.map((v) => v.find((n) => n.role === 'master' && n.slots.some(([a, b]) => slot >= a && slot <= b))?.port),
  );
  return owners.size === 1 ? [...owners][0] : undefined;
}

export interface FailoverResult {
  newMasterPort: number;
  oldMasterPort: number;
}

/**
 * `CLUSTER FAILOVER [FORCE|TAKEOVER]` on a replica, then waits until it is a master for its old master's slots in
 * every live node's view, the old master (if alive) follows it, and the cluster is ok. Default timeout 20 s.
 */
export async function failover(
  replicaPort: number,
  opts: { mode?: 'FORCE' | 'TAKEOVER'; timeoutMs?: number } = {},
): Promise<FailoverResult> {
  const l = await lib();
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const view = await clusterNodes(replicaPort);
  const me = view.find((n) => n.myself)!;
  if (me.role !== 'replica' || !me.masterId) throw new Error(`node ${replicaPort} is not a replica`);
  const oldMaster = view.find((n) => n.id === me.masterId)!;
  const slot = oldMaster.slots[0]?.[0];
  const send = () => l.command(replicaPort, ['CLUSTER', 'FAILOVER', ...(opts.mode ? [opts.mode] : [])]);
  await send();
  let resent = false;
  const started = Date.now();
  await l.waitFor(
    async () => {
      const mine = (await clusterNodes(replicaPort)).find((n) => n.myself)!;
      if (mine.role !== 'master') {
        // A manual failover that could not complete times out after 5 s on the server: ask once more.
        if (!resent && Date.now() - started > 6000) {
          resent = true;
          await send();
        }
        return false;
      }
      const ports = await liveClusterPorts(replicaPort);
      if (slot !== undefined && (await agreedOwner(ports, slot)) !== replicaPort) return false;
      if (ports.includes(oldMaster.port)) {
        // Every live node must see the old master as a replica of the new one.
        for (const p of ports) {
          const old = (await clusterNodes(p)).find((n) => n.id === oldMaster.id);
          if (!old || old.role !== 'replica' || old.masterId !== me.id) return false;
        }
      }
      return true;
    },
    { timeoutMs, what: `${replicaPort} to take over from ${oldMaster.port}` },
  );
  await waitForClusterOk(await liveClusterPorts(replicaPort), Math.max(1000, timeoutMs - (Date.now() - started)));
  return { newMasterPort: replicaPort, oldMasterPort: oldMaster.port };
}

/**
 * After killNode(master): waits until one of its replicas has been promoted (automatic failover after
 * cluster-node-timeout, about 4 s here), every live node agrees and the cluster is ok. Returns the new master's port.
 * Default timeout 30 s.
 */
export async function waitForFailoverAfterKill(deadMasterPort: number, timeoutMs = 30_000): Promise<number> {
  const l = await lib();
  const cluster = clusterOf(deadMasterPort);
  if (!cluster) throw new Error(`port ${deadMasterPort} is not a test cluster node`);
  if (await isNodeAlive(deadMasterPort)) throw new Error(`node ${deadMasterPort} is still alive: kill it first`);
  const started = Date.now();
  let snap = killedSnapshots.get(deadMasterPort);
  if (!snap) {
    // Not killed through killNode in this process: use the survivors' view of it.
    const live = await liveClusterPorts(deadMasterPort);
    const dead = (await clusterNodes(live[0]!)).find((n) => n.port === deadMasterPort);
    if (dead && dead.slots.length) {
      const all = await clusterNodes(live[0]!);
      snap = { id: dead.id, role: dead.role, slots: dead.slots, replicaIds: all.filter((n) => n.masterId === dead.id).map((n) => n.id) };
    }
  }
  if (snap && snap.role !== 'master') throw new Error(`node ${deadMasterPort} was a ${snap.role}, not a master`);
  let newMaster: number | undefined;
  await l.waitFor(
    async () => {
      const ports = await liveClusterPorts(deadMasterPort);
      if (!(await l.clusterHealth(ports, { skipUnreachable: true, expectMasters: null, requireStable: false })).ok) return false;
      if (snap?.slots.length) {
        newMaster = await agreedOwner(ports, snap.slots[0]![0]);
      } else {
        // Fallback: the promoted replica is the live master with slots and no replica (its old master is dead).
        const topo = await mastersAndReplicas(ports);
        newMaster = topo.shards.filter((s) => s.replicas.length === 0).sort((a, b) => b.master.configEpoch - a.master.configEpoch)[0]
          ?.master.port;
      }
      return newMaster !== undefined && newMaster !== deadMasterPort;
    },
    { timeoutMs, what: `a replica of ${deadMasterPort} to be promoted` },
  );
  await waitForClusterOk(await liveClusterPorts(deadMasterPort), Math.max(1000, timeoutMs - (Date.now() - started)));
  return newMaster!;
}

// ---------------------------------------------------------------------------------------------------------------
// Resharding

export type MigrateStep =
  /** dst: CLUSTER SETSLOT <slot> IMPORTING <src-id> done */
  | 'importing'
  /** src: CLUSTER SETSLOT <slot> MIGRATING <dst-id> done (missing keys now get -ASK) */
  | 'migrating'
  /** one GETKEYSINSLOT + MIGRATE batch done (info.batch); multi-key commands on the slot may get -TRYAGAIN */
  | 'batch'
  /** the source has no key left in the slot */
  | 'keys-migrated'
  /** dst: SETSLOT <slot> NODE <dst-id> done */
  | 'node-dst'
  /** src: SETSLOT <slot> NODE <dst-id> done (the source now answers -MOVED) */
  | 'node-src'
  /** SETSLOT NODE sent to the other masters and every live node agrees on the new owner */
  | 'done';

export interface MigrateStepInfo {
  slot: number;
  fromPort: number;
  toPort: number;
  /** Keys moved so far. */
  movedKeys: number;
  /** The keys of the batch just moved ('batch' step). */
  batch?: string[];
}

export interface MigrateSlotOptions {
  /** Awaited after each step: return a promise to pause the migration there. */
  onStep?: (step: MigrateStep, info: MigrateStepInfo) => void | Promise<void>;
  /** Keys per GETKEYSINSLOT/MIGRATE batch (default 10, like redis-cli). */
  batchSize?: number;
  /** MIGRATE ... REPLACE. */
  replace?: boolean;
  /** MIGRATE timeout in ms (default 60000). */
  migrateTimeoutMs?: number;
  /** Wait for agreement (default 10000 ms). */
  timeoutMs?: number;
}

/**
 * Moves one slot with its keys from `fromPort` to `toPort` in redis-cli's order: dst IMPORTING, src MIGRATING,
 * GETKEYSINSLOT + MIGRATE until the source is empty (never SETSLOT NODE before that: the source would delete the
 * keys left), SETSLOT NODE on dst, then src, then the other masters; then waits until every live node agrees.
 */
export async function migrateSlot(
  cluster: TestCluster | number[],
  slot: number,
  fromPort: number,
  toPort: number,
  opts: MigrateSlotOptions = {},
): Promise<{ movedKeys: number }> {
  const l = await lib();
  const batchSize = opts.batchSize ?? 10;
  const view = await clusterNodes(fromPort);
  const src = view.find((n) => n.myself)!;
  const dst = view.find((n) => n.port === toPort);
  if (!dst) throw new Error(`${fromPort} does not know ${toPort}`);
  if (src.role !== 'master' || !src.slots.some(([a, b]) => slot >= a && slot <= b)) throw new Error(`slot ${slot} is not owned by ${fromPort}`);
  if (dst.role !== 'master') throw new Error(`${toPort} is not a master`);
  const info = (extra: Partial<MigrateStepInfo> = {}): MigrateStepInfo => ({ slot, fromPort, toPort, movedKeys, ...extra });
  const step = async (name: MigrateStep, extra?: Partial<MigrateStepInfo>) => {
    if (opts.onStep) await opts.onStep(name, info(extra));
  };
  let movedKeys = 0;

  await l.command(toPort, ['CLUSTER', 'SETSLOT', slot, 'IMPORTING', src.id]);
  await step('importing');
  await l.command(fromPort, ['CLUSTER', 'SETSLOT', slot, 'MIGRATING', dst.id]);
  await step('migrating');
  for (;;) {
    const keys = (await l.command(fromPort, ['CLUSTER', 'GETKEYSINSLOT', slot, batchSize], { buffers: true })) as Buffer[];
    if (!keys.length) break;
    await l.command(
      fromPort,
      ['MIGRATE', dst.host || '127.0.0.1', toPort, '', 0, opts.migrateTimeoutMs ?? 60_000, ...(opts.replace ? ['REPLACE'] : []), 'KEYS', ...keys],
      { timeoutMs: (opts.migrateTimeoutMs ?? 60_000) + 5000 },
    );
    movedKeys += keys.length;
    await step('batch', { batch: keys.map((k) => k.toString()) });
  }
  await step('keys-migrated');
  await l.command(toPort, ['CLUSTER', 'SETSLOT', slot, 'NODE', dst.id]);
  await step('node-dst');
  await l.command(fromPort, ['CLUSTER', 'SETSLOT', slot, 'NODE', dst.id]);
  await step('node-src');
  const ports = portsOf(cluster);
  const live: number[] = [];
  for (const p of ports) {
    try {
      await l.command(p, ['PING'], { timeoutMs: 1000 });
      live.push(p);
    } catch {
      /* dead */
    }
  }
  for (const n of view) {
    if (n.role === 'master' && !n.failed && n.id !== src.id && n.id !== dst.id && live.includes(n.port)) {
      await l.command(n.port, ['CLUSTER', 'SETSLOT', slot, 'NODE', dst.id]);
    }
  }
  await l.waitFor(async () => (await agreedOwner(live, slot)) === toPort, {
    timeoutMs: opts.timeoutMs ?? 10_000,
    what: `all nodes to agree that ${toPort} owns slot ${slot}`,
  });
  await step('done');
  return { movedKeys };
}

// ---------------------------------------------------------------------------------------------------------------
// Reset

/** Settings tests may change at runtime, put back by resetCluster. */
const CONFIG_DEFAULTS: Array<[string, string]> = [
  ['cluster-announce-hostname', ''],
  ['cluster-preferred-endpoint-type', 'ip'],
  ['cluster-allow-reads-when-down', 'no'],
  ['cluster-require-full-coverage', 'yes'],
  ['cluster-allow-pubsubshard-when-down', 'yes'],
  ['tracking-table-max-keys', '1000000'],
  ['maxmemory', '0'],
];

/** FLUSHALL on every master, then waits until every live node is empty. */
export async function flushCluster(cluster: TestCluster | number[]): Promise<void> {
  const l = await lib();
  const topo = await mastersAndReplicas(cluster);
  await Promise.all(topo.masters.map((p) => l.pipeline(p, [['FLUSHALL'], ['SCRIPT', 'FLUSH'], ['FUNCTION', 'FLUSH']])));
  await l.waitFor(
    async () => {
      const sizes = await Promise.all([...topo.masters, ...topo.replicas].map((p) => l.command(p, ['DBSIZE'])));
      return sizes.every((n) => n === 0);
    },
    { timeoutMs: 10_000, what: 'all nodes to be empty after FLUSHALL' },
  );
}

/**
 * Brings a cluster back to a healthy 3 masters + 3 replicas state: resumes paused nodes, restarts dead ones,
 * CLIENT UNPAUSE, puts runtime settings back, clears MIGRATING/IMPORTING slots, waits until everything is ok and
 * in sync, then (flush: true, the default) empties it. If that does not work within timeoutMs (or with
 * recreate: true) it kills the nodes and creates the cluster again on the same ports (node ids change).
 * Masters may differ from the ones before (failovers are not undone): read them with mastersAndReplicas().
 */
export async function resetCluster(
  cluster: TestCluster,
  opts: { flush?: boolean; timeoutMs?: number; recreate?: boolean } = {},
): Promise<{ recreated: boolean }> {
  const l = await lib();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const ports = cluster.ports;
  if (!opts.recreate) {
    try {
      await Promise.all(
        ports.map(async (port) => {
          const pid = await currentPid(port);
          if (pid !== null && (await isNodeAlive(port))) {
            if (l.isStopped(pid)) process.kill(pid, 'SIGCONT');
          } else {
            await restartNode(port);
          }
        }),
      );
      await Promise.all(
        ports.map(async (port) => {
          const cfg = CONFIG_DEFAULTS.flatMap(([k, v]) => [k, v]);
          await l.pipeline(port, [['CLIENT', 'UNPAUSE'], ['CONFIG', 'SET', ...cfg]]);
          const me = (await clusterNodes(port)).find((n) => n.myself)!;
          for (const { slot } of [...me.migrating, ...me.importing]) await l.command(port, ['CLUSTER', 'SETSLOT', slot, 'STABLE']);
        }),
      );
      await l.waitClusterHealthy(ports, { timeoutMs, expectMasters: 3, replicasPerMaster: 1 });
      if (opts.flush ?? true) await flushCluster(cluster);
      return { recreated: false };
    } catch {
      /* fall through: recreate */
    }
  }
  const s = testServers();
  await l.stopCluster({ ports, baseDir: cluster.baseDir, signal: 'SIGKILL', remove: true });
  const created = await l.startCluster({ ports, baseDir: cluster.baseDir, bin: s.bin.redisServer, redisCli: s.bin.redisCli });
  await updateServers((j) => {
    const c = j.clusters[cluster.name];
    c.nodes = created.nodes
      .map((n) => ({ port: n.port, pid: n.pid, dir: n.dir, args: n.args, logFile: n.logFile }))
      .sort((a, b) => a.port - b.port);
  });
  for (const p of ports) killedSnapshots.delete(p);
  return { recreated: true };
}
