// The servers the jest suite runs against (started by test/support/global-setup.mjs, stopped by global-teardown.mjs).
//   main cluster   3 masters + 3 replicas on 30001-30006 (bus 20001-20006: below the ephemeral port range)
//   chaos cluster  3 masters + 3 replicas on 30101-30106 (bus 20101-20106): tests that kill, fail over or reshard
//   standalone     30201 (--enable-debug-command local, like every node)
//   tls            --port 0 --tls-port 30202, server cert CN=localhost (SAN DNS:localhost, IP:127.0.0.1),
//                  --tls-auth-clients no (a client cert signed by the same CA is also generated, for mutual TLS)
//   acl            30203, default user off, user app / app-secret with ~* &* +@all
// Everything a test needs is written to <repo>/.test-servers/servers.json.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { generateTestCerts } from './certs.mjs';
import { startCluster } from './cluster-ops.mjs';
import { ensureRedis } from './install.mjs';
import { NODE_TIMEOUT_MS, assertPortsFree, readNodeRecord, startNode, stopNode } from './node.mjs';
import { isAlive } from './proc.mjs';
import { formatMs, HarnessError, HOST, REPO_ROOT, sleep, writeJsonAtomic } from './util.mjs';

/**
 * NRC_TEST_PORT_OFFSET (default 0, an integer 0..2500) shifts every test port, so that two checkouts
 * (e.g. git worktrees) can run their suites at the same time on one machine. Bus ports stay below the
 * ephemeral range (30001 + 2500 + 202 < 32768). The lock below is per offset.
 */
export const TEST_PORT_OFFSET = (() => {
  const raw = process.env.NRC_TEST_PORT_OFFSET ?? '0';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 2500) {
    throw new HarnessError(`NRC_TEST_PORT_OFFSET must be an integer 0..2500 (got ${JSON.stringify(raw)})`);
  }
  return n;
})();
const at = (p) => p + TEST_PORT_OFFSET;
export const TEST_PORTS = {
  main: [30001, 30002, 30003, 30004, 30005, 30006].map(at),
  chaos: [30101, 30102, 30103, 30104, 30105, 30106].map(at),
  standalone: at(30201),
  tls: at(30202),
  acl: at(30203),
};
export const ACL_USER = 'app';
export const ACL_PASSWORD = 'app-secret';
const GROUPS = ['main', 'chaos', 'standalone', 'tls', 'acl'];

export function testStateDir(repoRoot = REPO_ROOT) {
  return join(repoRoot, '.test-servers');
}

export function serversFile(repoRoot = REPO_ROOT) {
  return join(testStateDir(repoRoot), 'servers.json');
}

/** Every node dir (one holding node.json) under the state dir. */
function nodeDirs(stateDir) {
  const dirs = [];
  for (const group of GROUPS) {
    const g = join(stateDir, group);
    let entries = [];
    try {
      entries = readdirSync(g);
    } catch {
      continue;
    }
    for (const e of entries) if (existsSync(join(g, e, 'node.json'))) dirs.push(join(g, e));
  }
  return dirs;
}

/** Kills (SIGKILL, by recorded PID, verified to be that node's redis-server) every node under the state dir. */
export async function killRecordedNodes(stateDir) {
  const killed = [];
  await Promise.all(
    nodeDirs(stateDir).map(async (dir) => {
      const rec = readNodeRecord(dir);
      const pid = await stopNode(dir, { signal: 'SIGKILL', port: rec?.port });
      if (pid) killed.push({ port: rec?.port, pid });
    }),
  );
  return killed.sort((a, b) => a.port - b.port);
}

function lockHolder(lockFile) {
  try {
    const { pid } = JSON.parse(readFileSync(lockFile, 'utf8'));
    if (pid === process.pid || !isAlive(pid)) return null;
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /node|jest/.test(cmd) ? pid : null;
  } catch {
    return null;
  }
}

/** One test run at a time per checkout: a second run waits for the first one's teardown (or its death). */
/**
 * The test servers use fixed ports, so the lock is machine-wide (not per checkout): a CI clone and
 * a working tree on the same machine take turns instead of colliding on ports.
 */
function lockPath() {
  const suffix = TEST_PORT_OFFSET === 0 ? '' : `-${TEST_PORT_OFFSET}`;
  return join(tmpdir(), `nest-redis-cluster-test-servers${suffix}.lock.json`);
}

async function acquireLock(stateDir, log) {
  mkdirSync(stateDir, { recursive: true });
  const lockFile = lockPath();
  const waitMs = Number(process.env.NRC_SERVERS_LOCK_TIMEOUT_MS ?? 10 * 60_000);
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeFileSync(fd, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
      closeSync(fd);
      return lockFile;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const holder = lockHolder(lockFile);
    if (holder === null) {
      rmSync(lockFile, { force: true }); // stale (its process is gone) or our own
      continue;
    }
    if (Date.now() > deadline) {
      throw new HarnessError(`another test run (pid ${holder}) still holds ${lockFile} after ${formatMs(waitMs)}`);
    }
    if (!told) {
      log(`[test-servers] another test run (pid ${holder}) is using the test servers; waiting for it to finish`);
      told = true;
    }
    await sleep(500);
  }
}

function releaseLock(_stateDir) {
  const lockFile = lockPath();
  try {
    const { pid } = JSON.parse(readFileSync(lockFile, 'utf8'));
    if (pid === process.pid || !isAlive(pid)) unlinkSync(lockFile);
  } catch {
    /* none */
  }
}

function pick(rec) {
  return { port: rec.port, pid: rec.pid, dir: rec.dir, args: rec.args, logFile: rec.logFile };
}

/**
 * Starts every test server (in parallel) and writes servers.json. Kills leftovers of an interrupted run first.
 * Returns the servers.json content.
 */
export async function startTestServers({ repoRoot = REPO_ROOT, log = (m) => console.log(m) } = {}) {
  const t0 = Date.now();
  const stateDir = testStateDir(repoRoot);
  await acquireLock(stateDir, log);
  try {
    const leftovers = await killRecordedNodes(stateDir);
    if (leftovers.length) log(`[test-servers] killed ${leftovers.length} leftover node(s) of an earlier run: ${leftovers.map((k) => `${k.port}/${k.pid}`).join(' ')}`);
    for (const g of [...GROUPS, 'certs']) rmSync(join(stateDir, g), { recursive: true, force: true });
    rmSync(serversFile(repoRoot), { force: true });

    const bins = await ensureRedis({ log: (m) => log(`[test-servers] ${m}`), openssl: true });
    await assertPortsFree([TEST_PORTS.standalone, TEST_PORTS.tls, TEST_PORTS.acl]);

    const tasks = {
      main: startCluster({ ports: TEST_PORTS.main, baseDir: join(stateDir, 'main'), bin: bins.redisServer, redisCli: bins.redisCli }),
      chaos: startCluster({ ports: TEST_PORTS.chaos, baseDir: join(stateDir, 'chaos'), bin: bins.redisServer, redisCli: bins.redisCli }),
      standalone: startNode({ port: TEST_PORTS.standalone, dir: join(stateDir, 'standalone', String(TEST_PORTS.standalone)), bin: bins.redisServer }),
      tls: (async () => {
        const certs = await generateTestCerts(join(stateDir, 'certs'), { bin: bins.openssl });
        const rec = await startNode({
          port: TEST_PORTS.tls,
          dir: join(stateDir, 'tls', String(TEST_PORTS.tls)),
          bin: bins.redisServer,
          kind: 'tls',
          tls: { port: TEST_PORTS.tls, certFile: certs.certFile, keyFile: certs.keyFile, caFile: certs.caFile, authClients: 'no' },
          connect: { port: TEST_PORTS.tls, tls: { ca: certs.caFile, servername: 'localhost' } },
        });
        return { rec, certs };
      })(),
      acl: (async () => {
        const dir = join(stateDir, 'acl', String(TEST_PORTS.acl));
        mkdirSync(dir, { recursive: true });
        const aclFile = join(dir, 'users.acl');
        writeFileSync(aclFile, `user default off\nuser ${ACL_USER} on >${ACL_PASSWORD} ~* &* +@all\n`);
        const rec = await startNode({
          port: TEST_PORTS.acl,
          dir,
          bin: bins.redisServer,
          kind: 'acl',
          aclFile,
          connect: { port: TEST_PORTS.acl, user: ACL_USER, password: ACL_PASSWORD },
        });
        return { rec, aclFile };
      })(),
    };
    const names = Object.keys(tasks);
    const settled = await Promise.allSettled(Object.values(tasks));
    const failed = settled.map((s, i) => [names[i], s]).filter(([, s]) => s.status === 'rejected');
    if (failed.length) {
      await killRecordedNodes(stateDir);
      throw new HarnessError(`test servers failed to start:\n${failed.map(([n, s]) => `  ${n}: ${s.reason?.message ?? s.reason}`).join('\n')}`);
    }
    const r = Object.fromEntries(settled.map((s, i) => [names[i], s.value]));
    const cluster = (name) => ({
      name,
      host: HOST,
      ports: r[name].ports,
      baseDir: r[name].baseDir,
      nodes: r[name].nodes.map(pick),
    });
    const servers = {
      version: 1,
      host: HOST,
      stateDir,
      file: serversFile(repoRoot),
      ownerPid: process.pid,
      startedAt: new Date(t0).toISOString(),
      setupMs: 0,
      redisVersion: bins.version,
      /** Which server runs: 'redis' | 'valkey', its version, and the NRC_REDIS_BIN_DIR it came from (null: PATH). */
      server: { flavour: bins.flavour, version: bins.version, major: bins.major, binDir: bins.binDir ?? null },
      bin: { redisServer: bins.redisServer, redisCli: bins.redisCli, openssl: bins.openssl ?? null },
      nodeTimeoutMs: NODE_TIMEOUT_MS,
      clusters: { main: cluster('main'), chaos: cluster('chaos') },
      standalone: pick(r.standalone),
      tls: {
        ...pick(r.tls.rec),
        tlsPort: TEST_PORTS.tls,
        servername: 'localhost',
        certsDir: r.tls.certs.dir,
        caFile: r.tls.certs.caFile,
        certFile: r.tls.certs.certFile,
        keyFile: r.tls.certs.keyFile,
        clientCertFile: r.tls.certs.clientCertFile,
        clientKeyFile: r.tls.certs.clientKeyFile,
        wrongCaFile: r.tls.certs.wrongCaFile,
      },
      acl: { ...pick(r.acl.rec), username: ACL_USER, password: ACL_PASSWORD, aclFile: r.acl.aclFile },
    };
    servers.setupMs = Date.now() - t0;
    writeJsonAtomic(servers.file, servers);
    return servers;
  } catch (err) {
    releaseLock(stateDir);
    throw err;
  }
}

/** Stops every node recorded under the state dir (by PID), removes servers.json and releases the lock. Logs stay. */
export async function stopTestServers({ repoRoot = REPO_ROOT } = {}) {
  const stateDir = testStateDir(repoRoot);
  const killed = await killRecordedNodes(stateDir);
  rmSync(serversFile(repoRoot), { force: true });
  releaseLock(stateDir);
  return killed;
}
