#!/usr/bin/env node
// Dev Redis Cluster (3 masters + 3 replicas on 127.0.0.1) for local work.
//   node scripts/cluster.mjs up|down|status|install [--port-base N]     (env REDIS_CLUSTER_PORT_BASE; default 7000)
// Server binaries: redis-server/redis-cli on PATH, or the pair in NRC_REDIS_BIN_DIR (redis-* or valkey-*).
// State (node dirs, PIDs, logs, AOF, nodes.conf) lives in <repo>/.cluster/. Nodes are detached and keep running
// after this script exits; `down` stops them by their recorded PIDs.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  clusterHealth,
  clusterStatus,
  ensureRedis,
  formatMs,
  formatRanges,
  HarnessError,
  nodeAlive,
  readJson,
  REPO_ROOT,
  startCluster,
  stopCluster,
  waitClusterHealthy,
  writeJsonAtomic,
} from './lib/index.mjs';

const STATE_DIR = join(REPO_ROOT, '.cluster');
const STATE_FILE = join(STATE_DIR, 'cluster.json');
const log = (m) => console.log(m);

function usage(code = 0) {
  (code ? console.error : console.log)(
    'usage: node scripts/cluster.mjs <up|down|status|install> [--port-base N]\n' +
      '  up       start a 3-master/3-replica cluster on ports N..N+5 (default 7000; env REDIS_CLUSTER_PORT_BASE)\n' +
      '  down     stop the recorded nodes (by PID) and remove .cluster/\n' +
      '  status   print each node: port, pid, alive, role, slots, cluster_state\n' +
      '  install  install redis-server/redis-tools (and openssl) with apt-get if missing (root)\n' +
      'env NRC_REDIS_BIN_DIR=<dir>: run the redis-server/redis-cli or valkey-server/valkey-cli found in <dir>',
  );
  process.exit(code);
}

function parseArgs(argv) {
  let cmd;
  let base = process.env.REDIS_CLUSTER_PORT_BASE;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port-base') base = argv[++i];
    else if (a.startsWith('--port-base=')) base = a.slice('--port-base='.length);
    else if (a === '-h' || a === '--help') usage(0);
    else if (!cmd) cmd = a;
    else usage(1);
  }
  const portBase = base === undefined || base === '' ? 7000 : Number(base);
  if (!Number.isInteger(portBase) || portBase < 1024 || portBase + 5 + 10000 > 65535) {
    throw new HarnessError(`invalid port base ${JSON.stringify(base)}: need an integer in 1024..55530 (bus ports are +10000)`);
  }
  return { cmd, ports: Array.from({ length: 6 }, (_, i) => portBase + i) };
}

/** The recorded cluster, or one reconstructed from node dirs left by an interrupted `up`. */
function recorded() {
  const rec = readJson(STATE_FILE, null);
  if (rec) return rec;
  if (!existsSync(STATE_DIR)) return null;
  const ports = readdirSync(STATE_DIR)
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .sort((a, b) => a - b);
  return ports.length ? { ports, baseDir: STATE_DIR, partial: true } : null;
}

const range = (ports) => `${ports[0]}-${ports[ports.length - 1]}`;

async function printStatus(rec) {
  const rows = await clusterStatus({ ports: rec.ports, baseDir: STATE_DIR });
  const table = [['port', 'pid', 'alive', 'role', 'slots', 'cluster_state']];
  for (const r of rows) {
    const count = r.slots.reduce((a, [s, e]) => a + e - s + 1, 0);
    let slots = '-';
    if (r.role === 'master') slots = `${count} (${formatRanges(r.slots) || 'none'})`;
    else if (r.role === 'replica') slots = `replica of ${r.masterPort ?? '?'}`;
    if (r.migrating?.length || r.importing?.length) slots += ` [migrating ${r.migrating.length}, importing ${r.importing.length}]`;
    table.push([String(r.port), String(r.pid ?? '-'), r.alive ? 'yes' : 'no', r.role, slots, r.error ? `error: ${r.error}` : r.clusterState]);
  }
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  for (const row of table) log(row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  return rows;
}

async function healthy(ports, timeoutMs) {
  try {
    if (timeoutMs) await waitClusterHealthy(ports, { timeoutMs });
    else if (!(await clusterHealth(ports)).ok) return false;
    return true;
  } catch {
    return false;
  }
}

async function teardown(rec, reason) {
  log(`${reason}: stopping recorded nodes ${range(rec.ports)}`);
  const stopped = await stopCluster({ ports: rec.ports, baseDir: STATE_DIR, signal: 'SIGTERM', remove: true });
  if (stopped.length) log(`stopped ${stopped.map((s) => `${s.port} (pid ${s.pid})`).join(', ')}`);
}

async function up(ports) {
  const rec = recorded();
  if (rec) {
    const same = !rec.partial && rec.ports.join() === ports.join();
    if (same) {
      const alive = ports.filter((p) => nodeAlive(join(STATE_DIR, String(p)), p));
      if (alive.length === ports.length && (await healthy(ports, 0) || (await healthy(ports, 5000)))) {
        log(`cluster already up and healthy on 127.0.0.1:${range(ports)}`);
        await printStatus(rec);
        return 0;
      }
      await teardown(rec, `cluster on ${range(ports)} is not healthy (${alive.length}/${ports.length} nodes alive)`);
    } else {
      await teardown(rec, rec.partial ? 'found nodes of an interrupted run' : `recorded cluster uses ports ${range(rec.ports)}`);
    }
  }
  const bins = await ensureRedis({ log });
  const t0 = Date.now();
  log(`starting 6 ${bins.flavour} ${bins.version} nodes on 127.0.0.1:${range(ports)} (state in .cluster/; ${bins.redisServer})`);
  try {
    const res = await startCluster({ ports, baseDir: STATE_DIR, bin: bins.redisServer, redisCli: bins.redisCli });
    writeJsonAtomic(STATE_FILE, {
      ports,
      baseDir: STATE_DIR,
      createdAt: new Date().toISOString(),
      server: { flavour: bins.flavour, version: bins.version, redisServer: bins.redisServer, redisCli: bins.redisCli },
      nodes: res.nodes.map((n) => ({ port: n.port, pid: n.pid })),
    });
  } catch (err) {
    rmSync(STATE_DIR, { recursive: true, force: true });
    throw err;
  }
  log(`cluster ok in ${formatMs(Date.now() - t0)}: 3 masters + 3 replicas, all replicas in sync`);
  await printStatus({ ports });
  log(`seed: 127.0.0.1:${ports[0]}   stop with: npm run cluster:down`);
  return 0;
}

async function down() {
  const rec = recorded();
  if (!rec) {
    log('no dev cluster recorded in .cluster/: nothing to stop');
    return 0;
  }
  await teardown(rec, 'down');
  log('removed .cluster/');
  return 0;
}

async function status() {
  const rec = recorded();
  if (!rec) {
    log('no dev cluster recorded in .cluster/ (start one with: npm run cluster:up)');
    return 3;
  }
  const rows = await printStatus(rec);
  const health = await clusterHealth(rec.ports);
  if (health.ok) {
    log(`healthy: 3 masters + 3 replicas on 127.0.0.1:${range(rec.ports)}`);
    return 0;
  }
  log(`NOT healthy (${rows.filter((r) => r.alive).length}/${rows.length} alive): ${health.problems.slice(0, 5).join('; ')}`);
  return 1;
}

async function main() {
  const { cmd, ports } = parseArgs(process.argv.slice(2));
  switch (cmd) {
    case 'up':
      return up(ports);
    case 'down':
      return down();
    case 'status':
      return status();
    case 'install': {
      const r = await ensureRedis({ log, openssl: true });
      if (!r.installed) log(`${r.flavour} server ${r.version} (${r.redisServer}) and cli (${r.redisCli}) already available`);
      return 0;
    }
    default:
      usage(1);
  }
}

main().then(
  (code) => process.exit(code ?? 0),
  (err) => {
    console.error(`cluster.mjs: ${err instanceof HarnessError ? err.message : err.stack ?? err}`);
    process.exit(err.exitCode ?? 1);
  },
);
