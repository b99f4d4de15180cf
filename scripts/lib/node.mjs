// One redis-server process: argv, detached spawn with the real PID recorded in <dir>/pid, readiness, restart, stop.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { isAlive, isRedisProcess, killPid } from './proc.mjs';
import { pipeline, RedisReplyError } from './resp.mjs';
import { HarnessError, HOST, readJson, sleep, which, writeJsonAtomic } from './util.mjs';

export const NODE_TIMEOUT_MS = 2000;

/**
 * The cluster bus port of a node. Redis's default (port + 10000) would put the bus of nodes on
 * 22768+ inside Linux's ephemeral range (32768-60999), where any outgoing connection may already
 * hold it as its local port; such nodes get port - 10000 instead (Redis 7 `cluster-port`).
 */
export function busPort(port) {
  return port + 10000 < 32768 ? port + 10000 : port - 10000;
}

/**
 * redis-server argv for a node. spec: { port, dir, cluster?, tls?: { port, certFile, keyFile, caFile, authClients? },
 * aclFile?, extraArgs? }. With `tls`, the plaintext port is 0 and the node listens on tls.port only.
 */
export function nodeArgs(spec) {
  const dir = resolve(spec.dir);
  const args = [
    '--port', String(spec.tls ? 0 : spec.port),
    '--bind', HOST,
    '--daemonize', 'no',
    '--dir', dir,
    '--logfile', '',
    '--enable-debug-command', 'local',
    '--appendonly', 'yes',
    '--appendfsync', 'no',
    '--save', '',
    // Full syncs start at once instead of waiting 5 s for more replicas (7.0 default: diskless, delay 5).
    '--repl-diskless-sync-delay', '0',
  ];
  if (spec.cluster) {
    args.push(
      '--cluster-enabled', 'yes',
      '--cluster-config-file', 'nodes.conf',
      '--cluster-node-timeout', String(spec.nodeTimeoutMs ?? NODE_TIMEOUT_MS),
      '--cluster-port', String(busPort(spec.port)),
      // A replica always tries to fail over, however long it was disconnected (deterministic chaos tests).
      '--cluster-replica-validity-factor', '0',
    );
  }
  if (spec.tls) {
    args.push(
      '--tls-port', String(spec.tls.port),
      '--tls-cert-file', spec.tls.certFile,
      '--tls-key-file', spec.tls.keyFile,
      '--tls-ca-cert-file', spec.tls.caFile,
      '--tls-auth-clients', spec.tls.authClients ?? 'no',
    );
  }
  if (spec.aclFile) args.push('--aclfile', spec.aclFile);
  if (spec.extraArgs) args.push(...spec.extraArgs);
  return args;
}

/** How to reach a node for probing: { port, tls?, user?, password? } (what resp.pipeline takes). */
export function probeTarget(record) {
  return record.connect ?? { port: record.port };
}

export function readPid(dir) {
  try {
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function readNodeRecord(dir) {
  const rec = readJson(join(dir, 'node.json'), null);
  if (!rec) return null;
  return { ...rec, pid: readPid(dir) };
}

/** Throws a clear error if any of the ports (and cluster bus ports, for cluster nodes) cannot be bound. */
export async function assertPortsFree(ports) {
  const busy = [];
  await Promise.all(
    ports.map(
      (port) =>
        new Promise((res) => {
          const srv = net.createServer();
          srv.once('error', () => {
            busy.push(port);
            res();
          });
          srv.listen({ port, host: HOST, exclusive: true }, () => srv.close(() => res()));
        }),
    ),
  );
  if (busy.length) {
    busy.sort((a, b) => a - b);
    throw new HarnessError(`port(s) ${busy.join(', ')} on ${HOST} are already in use by another process`);
  }
}

function logTail(dir, lines = 15) {
  try {
    return readFileSync(join(dir, 'redis.log'), 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Resolves once the node answers PING (PONG, or NOAUTH for an ACL node); rejects if the process dies. */
export async function waitReady(record, { timeoutMs = 15_000, exited } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (exited?.code !== undefined || (record.pid && !isAlive(record.pid))) {
      throw new HarnessError(`redis-server on port ${record.port} exited during startup; log tail:\n${logTail(record.dir)}`);
    }
    try {
      const [reply] = await pipeline({ ...probeTarget(record), user: undefined, password: undefined }, [['PING']], { timeoutMs: 1000 });
      if (reply === 'PONG') return;
      if (reply instanceof RedisReplyError && reply.code === 'NOAUTH') return;
      last = String(reply?.message ?? reply);
    } catch (err) {
      last = err.message;
    }
    if (Date.now() >= deadline) {
      throw new HarnessError(`redis-server on port ${record.port} not ready after ${timeoutMs} ms (${last}); log tail:\n${logTail(record.dir)}`);
    }
    await sleep(15);
  }
}

/**
 * Spawns redis-server detached (own session, stdio appended to <dir>/redis.log, unref'd) so it outlives this
 * process, records the real PID in <dir>/pid and the argv in <dir>/node.json, and waits until it answers PING.
 * spec: nodeArgs() spec plus { bin?, connect?, kind?, wait? }. Returns the node record.
 */
export async function startNode(spec) {
  const dir = resolve(spec.dir);
  mkdirSync(dir, { recursive: true });
  const bin = spec.bin ?? which('redis-server');
  if (!bin) throw new HarnessError('redis-server not found on PATH (run: node scripts/cluster.mjs install)');
  const args = spec.args ?? nodeArgs({ ...spec, dir });
  const record = {
    port: spec.port,
    dir,
    bin,
    args,
    kind: spec.kind ?? (spec.cluster ? 'cluster' : 'standalone'),
    logFile: join(dir, 'redis.log'),
    ...(spec.connect ? { connect: spec.connect } : {}),
  };
  writeJsonAtomic(join(dir, 'node.json'), record);
  return spawnRecorded(record, spec.wait ?? true);
}

async function spawnRecorded(record, wait) {
  const logFd = openSync(record.logFile, 'a');
  const exited = {};
  let child;
  try {
    child = spawn(record.bin, record.args, { cwd: record.dir, detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  const spawned = await new Promise((res) => {
    child.once('spawn', () => res(true));
    child.once('error', (err) => {
      exited.code = -1;
      exited.error = err;
      res(false);
    });
  });
  if (!spawned) throw new HarnessError(`cannot spawn ${record.bin}: ${exited.error?.message}`);
  child.once('exit', (code, signal) => {
    exited.code = code ?? signal;
  });
  child.unref();
  const withPid = { ...record, pid: child.pid };
  writeFileSync(join(record.dir, 'pid'), `${child.pid}\n`);
  if (wait) await waitReady(withPid, { exited });
  return withPid;
}

/** Starts a node again from its <dir>/node.json (same argv and dir: AOF and nodes.conf are kept). */
export async function restartNode(dir, { wait = true } = {}) {
  const rec = readNodeRecord(dir);
  if (!rec) throw new HarnessError(`no node.json in ${dir}`);
  if (rec.pid && isRedisProcess(rec.pid, { dir: rec.dir, port: rec.port })) {
    throw new HarnessError(`node on port ${rec.port} is still running (pid ${rec.pid})`);
  }
  const { pid: _old, ...record } = rec;
  return spawnRecorded(record, wait);
}

/** True if the PID recorded in <dir>/pid is a live redis-server for this node. */
export function nodeAlive(dir, port) {
  const pid = readPid(dir);
  return pid !== null && isRedisProcess(pid, { dir, port });
}

/**
 * Stops the node recorded in `dir`, by PID only (never by name): SIGKILL by default (tests), or
 * { signal: 'SIGTERM', graceMs } for a graceful stop that falls back to SIGKILL. Returns the PID it stopped, or null.
 */
export async function stopNode(dir, { signal = 'SIGKILL', graceMs = 1500, port } = {}) {
  const pid = readPid(dir);
  if (pid === null) return null;
  if (!isRedisProcess(pid, { dir, port })) return null;
  await killPid(pid, { signal, graceMs });
  return pid;
}

export function nodeDirExists(dir) {
  return existsSync(join(dir, 'node.json'));
}
