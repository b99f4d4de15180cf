#!/usr/bin/env node
// Consumer apps installed from the packed tarball, compiled with their own tsconfig, run against a Redis cluster:
//   node scripts/ci/consumers.mjs [--nodes current,22,24] [--no-pack] [--skip-install] [--only types,plain,nest12-esm,nest11-cjs]
// consumers/nest12-esm  NestJS 12, ESM, module nodenext
// consumers/nest11-cjs  NestJS 11, CommonJS as `nest new` makes it (module commonjs, moduleResolution node10)
//     both: a cached route (@Cacheable), a command through @InjectCluster(), /health (Terminus), then SIGTERM with
//     enableShutdownHooks: the shutdown hooks run and the process ends by the re-raised signal
// consumers/plain       plain Node ESM (.mts) and CommonJS (.cts) scripts on nest-redis-cluster/client, installed
//     with no Nest at all (the Nest packages are optional peers); each must end by itself after close()
// consumers/types       the published .d.ts with skipLibCheck:false under node10, node16, nodenext (with a .cts)
//     and bundler
// Each consumer: `npm ci` from its committed lockfile (exact registry versions), then the tarball with
// `npm install --no-save`. The cluster (3 masters + 3 replicas) runs on 30011-30016 (+ NRC_TEST_PORT_OFFSET),
// away from jest's test ports, under .consumer-cluster/, and is stopped by PID at the end.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRedis, startCluster, stopCluster, TEST_PORT_OFFSET } from '../lib/index.mjs';
import { CiError, ensureNode, entryPoints, formatSeconds, log, packTarball, REPO_ROOT, run, step, TARBALL } from './ci-lib.mjs';

const SOURCE_DIR = join(REPO_ROOT, 'consumers');
/**
 * Consumers are installed and run from a copy outside the repository: inside it, Node and tsc would find the
 * repo's own node_modules (which holds @nestjs/*) by walking up, and a missing dependency would go unnoticed.
 */
const CONSUMERS_DIR = join(tmpdir(), `nest-redis-cluster-consumers-${TEST_PORT_OFFSET}`);
const CLUSTER_DIR = join(REPO_ROOT, '.consumer-cluster');
const CLUSTER_PORTS = [30011, 30012, 30013, 30014, 30015, 30016].map((p) => p + TEST_PORT_OFFSET);
const APP_TIMEOUT_MS = 60_000;

function parseArgs(argv) {
  const opts = { nodes: ['current'], pack: true, install: true, only: ['types', 'plain', 'nest12-esm', 'nest11-cjs'] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--nodes') opts.nodes = argv[++i].split(',').filter(Boolean);
    else if (a === '--no-pack') opts.pack = false;
    else if (a === '--skip-install') opts.install = false;
    else if (a === '--only') opts.only = argv[++i].split(',').filter(Boolean);
    else throw new CiError(`unknown argument ${a}`);
  }
  return opts;
}

function assert(condition, message) {
  if (!condition) throw new CiError(`assertion failed: ${message}`);
}

/** npm ci from the committed lockfile, then the tarball (not saved: the lockfile stays registry-only). */
function install(name) {
  const cwd = join(CONSUMERS_DIR, name);
  rmSync(join(cwd, 'node_modules'), { recursive: true, force: true });
  const t0 = Date.now();
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd });
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', TARBALL], { cwd });
  return Date.now() - t0;
}

const tsc = (name, project) => run(process.execPath, [join(CONSUMERS_DIR, name, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: join(CONSUMERS_DIR, name) });

/**
 * Starts `node <script>` and collects its output. Resolves { code, signal, stdout, stderr, ms } at exit.
 * `onLine(line, child)` sees every stdout line. Kills the child (by its PID) after APP_TIMEOUT_MS.
 */
function runApp(nodeBin, cwd, script, { env, onLine } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(nodeBin, [script], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    let failure;
    const timer = setTimeout(() => {
      failure = new CiError(`${script} did not exit within ${APP_TIMEOUT_MS} ms`);
      child.kill('SIGKILL');
    }, APP_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        Promise.resolve(onLine?.(line, child)).catch((err) => {
          failure ??= err;
          child.kill('SIGKILL');
        });
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const out = { code, signal, stdout, stderr, ms: Date.now() - t0 };
      if (failure) {
        failure.message += `\n--- stdout\n${stdout}\n--- stderr\n${stderr}`;
        reject(failure);
      } else resolve(out);
    });
  });
}

async function getJson(port, path) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.json() };
}

/** The HTTP checks on a running Nest consumer; then SIGTERM. */
async function checkNestApp(info, child, expectedModuleSystem, runId) {
  const { port } = info;
  assert(info.moduleSystem === expectedModuleSystem, `module system ${info.moduleSystem}, expected ${expectedModuleSystem}`);
  const id = `p-${runId}`;
  const first = await getJson(port, `/products/${id}`);
  const second = await getJson(port, `/products/${id}`);
  assert(first.status === 200 && second.status === 200, `/products status ${first.status}/${second.status}`);
  assert(first.body.product.id === id && JSON.stringify(second.body.product) === JSON.stringify(first.body.product), 'cached product equals the loaded one');
  assert(second.body.reads === first.body.reads, `@Cacheable: second request read the database again (${first.body.reads} -> ${second.body.reads})`);
  const c1 = await getJson(port, `/counter/${runId}`);
  const c2 = await getJson(port, `/counter/${runId}`);
  assert(c1.status === 200 && c1.body.value === 1 && c2.body.value === 2, `@InjectCluster() INCR returned ${c1.body.value}, ${c2.body.value}`);
  const health = await getJson(port, '/health');
  const redis = health.body.info?.redis;
  assert(health.status === 200 && health.body.status === 'ok', `/health ${health.status} ${JSON.stringify(health.body).slice(0, 300)}`);
  assert(redis.status === 'up' && redis.slotsCovered === 16384 && redis.nodes.length === 6 && redis.clusterState === 'ok', `/health details ${JSON.stringify(redis).slice(0, 300)}`);
  child.kill('SIGTERM');
  return { reads: second.body.reads, counter: c2.body.value, health: `${redis.status}, ${redis.nodes.length} nodes, ${redis.slotsCovered} slots` };
}

async function runNestConsumer(nodeBin, name, expectedModuleSystem, env, runId) {
  let checks;
  const cwd = join(CONSUMERS_DIR, name);
  const res = await runApp(nodeBin, cwd, 'dist/main.js', {
    env,
    onLine: async (line, child) => {
      if (!line.startsWith('CONSUMER_READY ')) return;
      checks = await checkNestApp(JSON.parse(line.slice('CONSUMER_READY '.length)), child, expectedModuleSystem, runId);
    },
  });
  const context = `\n--- stdout\n${res.stdout}\n--- stderr\n${res.stderr}`;
  assert(checks, `${name} never became ready (exit ${res.code ?? res.signal})${context}`);
  // enableShutdownHooks(): Nest runs the hooks, then re-raises the signal, so the process ends *by* SIGTERM.
  assert(res.signal === 'SIGTERM', `${name} ended with ${res.code ?? res.signal}, expected the re-raised SIGTERM${context}`);
  assert(res.stdout.includes('SHUTDOWN_HOOK SIGTERM'), `${name}: onApplicationShutdown did not run${context}`);
  assert(!/ExperimentalWarning|DeprecationWarning/.test(res.stderr), `${name} printed a warning${context}`);
  return { ...checks, shutdown: 'SIGTERM after hooks', ms: res.ms };
}

async function runPlainConsumer(nodeBin, script, expectedModuleSystem, env) {
  const res = await runApp(nodeBin, join(CONSUMERS_DIR, 'plain'), script, { env });
  const context = `\n--- stdout\n${res.stdout}\n--- stderr\n${res.stderr}`;
  assert(res.code === 0, `${script} exited with ${res.code ?? res.signal}${context}`);
  const line = res.stdout.split('\n').find((l) => l.startsWith('CONSUMER_RESULT '));
  assert(line, `${script} printed no result${context}`);
  const result = JSON.parse(line.slice('CONSUMER_RESULT '.length));
  assert(result.moduleSystem === expectedModuleSystem, `${script} ran as ${result.moduleSystem}`);
  if ('mainEntry' in result) {
    assert(/^ERR_MODULE_NOT_FOUND: @nestjs\//.test(result.mainEntry), `without Nest, import('nest-redis-cluster') gave ${result.mainEntry}`);
  }
  assert(!/ExperimentalWarning|DeprecationWarning/.test(res.stderr), `${script} printed a warning${context}`);
  return { ...result, ms: res.ms };
}

/** A Nest-free install: no @nestjs/*, rxjs or reflect-metadata in consumers/plain/node_modules. */
function assertNoNest() {
  const nm = join(CONSUMERS_DIR, 'plain', 'node_modules');
  const present = ['@nestjs', 'rxjs', 'reflect-metadata'].filter((p) => existsSync(join(nm, p)));
  assert(present.length === 0, `consumers/plain installed ${present.join(', ')} (the Nest peers must be optional)`);
  return readdirSync(nm).filter((n) => !n.startsWith('.')).sort();
}

/** Resolves (lockfile only, nothing installed) the tarball next to @nestjs/common 10: npm must fail with ERESOLVE. */
function checkPeerRangeRefused() {
  const dir = join(CONSUMERS_DIR, 'peer-range');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'peer-range', private: true, dependencies: { '@nestjs/common': '10.4.15' } }));
  const r = run('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', TARBALL], { cwd: dir, capture: true, allowFail: true });
  const out = `${r.stdout}${r.stderr}`;
  assert(r.status !== 0 && /ERESOLVE/.test(out) && /peerOptional @nestjs\/common@"\^11\.0\.0 \|\| \^12\.0\.0" from nest-redis-cluster/.test(out), `npm accepted @nestjs/common 10 (exit ${r.status}):\n${out}`);
  rmSync(dir, { recursive: true, force: true });
  return r.ms;
}

async function main() {
  const t0 = Date.now();
  const opts = parseArgs(process.argv.slice(2));
  const timings = [];
  const time = (what, ms) => {
    timings.push([what, ms]);
    log(`   ${what}: ${formatSeconds(ms)}`);
  };

  const nodes = opts.nodes.map((spec) => ({ spec, ...ensureNode(spec) }));
  if (opts.pack || !existsSync(TARBALL)) {
    step('npm pack');
    time('npm pack (build)', packTarball().ms);
  }

  // Fresh copy of the consumer sources (node_modules kept for --skip-install; npm ci replaces it anyway).
  for (const name of opts.only) {
    const dest = join(CONSUMERS_DIR, name);
    mkdirSync(dest, { recursive: true });
    for (const entry of readdirSync(dest)) if (entry !== 'node_modules') rmSync(join(dest, entry), { recursive: true, force: true });
    cpSync(join(SOURCE_DIR, name), dest, { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$|\.tsbuildinfo$/.test(src) });
  }
  log(`consumers copied to ${CONSUMERS_DIR}`);

  const present = entryPoints().filter((e) => e.present && e.subpath !== '.');
  if (opts.only.includes('types')) {
    // One module of type imports per entry present in this tree (so ./keyv and ./throttler are checked once they
    // exist). Under module node16 ./throttler is left out: @nestjs/throttler's own .d.ts (CommonJS) import the ESM
    // @nestjs/common 12, which TypeScript's node16 mode rejects (TS1479) before our types are even reached.
    const generate = (file, entries, note) =>
      writeFileSync(
        join(CONSUMERS_DIR, 'types/src', file),
        `// Generated by scripts/ci/consumers.mjs${note}\n` +
          entries.map((e) => `import type * as ${e.name.replace(/\W/g, '_')} from 'nest-redis-cluster/${e.name}';`).join('\n') +
          `\nexport type PresentEntries = [${entries.map((e) => `typeof ${e.name.replace(/\W/g, '_')}`).join(', ')}];\n`,
      );
    generate('entries.generated.ts', present, ': one type import per entry point present in this tree.');
    generate('entries-node16.generated.ts', present.filter((e) => e.name !== 'throttler'), ' for module node16 (without ./throttler, see consumers.mjs).');
  }

  for (const name of opts.only) {
    step(`${name}: install and compile`);
    if (opts.install) time(`${name}: npm ci + tarball`, install(name));
    if (name === 'types') {
      for (const res of ['node10', 'node16', 'nodenext', 'bundler']) time(`types: tsc skipLibCheck:false ${res}`, tsc(name, `tsconfig.${res}.json`).ms);
    } else {
      time(`${name}: tsc`, tsc(name, 'tsconfig.json').ms);
    }
  }
  if (opts.only.includes('plain')) log(`consumers/plain/node_modules holds only: ${assertNoNest().join(', ')}`);
  if (opts.only.includes('plain')) {
    step('peer range: npm refuses the tarball next to @nestjs/common 10 (optional peers are still checked)');
    time('peer range check', checkPeerRangeRefused());
  }

  if (!opts.only.some((n) => n !== 'types')) {
    log(`\nconsumers passed (types only) in ${formatSeconds(Date.now() - t0)}`);
    return;
  }
  step(`redis cluster on ${CLUSTER_PORTS[0]}-${CLUSTER_PORTS[5]}`);
  const bins = await ensureRedis({ log });
  const results = [];
  const t1 = Date.now();
  await startCluster({ ports: CLUSTER_PORTS, baseDir: CLUSTER_DIR, bin: bins.redisServer, redisCli: bins.redisCli });
  time('cluster up', Date.now() - t1);
  try {
    const env = { CONSUMER_REDIS_NODES: CLUSTER_PORTS.slice(0, 3).map((p) => `redis://127.0.0.1:${p}`).join(','), NODE_ENV: 'production' };
    for (const node of nodes) {
      step(`node ${node.version}${node.spec === 'current' ? ' (this machine)' : ` (${node.bin})`}`);
      const runId = `${node.version}-${Date.now()}`;
      const row = (consumer, r) => {
        results.push({ ...r, node: node.version, consumer });
        log(`   ${consumer}: ok (${formatSeconds(r.ms)}) ${JSON.stringify(r)}`);
      };
      if (opts.only.includes('plain')) row('plain esm', await runPlainConsumer(node.bin, 'dist/esm.mjs', 'esm', env));
      if (opts.only.includes('plain')) row('plain cjs', await runPlainConsumer(node.bin, 'dist/cjs.cjs', 'commonjs', env));
      if (opts.only.includes('nest12-esm')) row('nest12-esm', await runNestConsumer(node.bin, 'nest12-esm', 'esm', env, `${runId}-12`));
      if (opts.only.includes('nest11-cjs')) row('nest11-cjs', await runNestConsumer(node.bin, 'nest11-cjs', 'commonjs', env, `${runId}-11`));
    }
  } finally {
    const stopped = await stopCluster({ ports: CLUSTER_PORTS, baseDir: CLUSTER_DIR, remove: true });
    log(`\ncluster stopped (pids ${stopped.map((s) => s.pid).join(' ')})`);
  }
  step('summary');
  for (const r of results) log(`   node ${r.node.padEnd(8)} ${r.consumer.padEnd(11)} ok  ${formatSeconds(r.ms)}`);
  log(`consumers passed on ${nodes.map((n) => n.version).join(', ')} in ${formatSeconds(Date.now() - t0)}`);
}

main().catch((err) => {
  console.error(err instanceof CiError ? err.message : err);
  process.exit(1);
});
