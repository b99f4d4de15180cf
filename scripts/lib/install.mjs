// ensureRedis(): find redis-server and redis-cli, installing them with apt-get when missing and running as root.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAlive, killPid } from './proc.mjs';
import { serverBinDirFromEnv, serverFromDir, serverVersion } from './server-bin.mjs';
import { HarnessError, sleep, which } from './util.mjs';

const PACKAGES = ['redis-server', 'redis-tools'];
const POLICY_RC = '/usr/sbin/policy-rc.d';
const POLICY_DENY = '#!/bin/sh\n# Temporary (nest-redis-cluster scripts/lib/install.mjs): do not start services during apt-get install.\nexit 101\n';
const SYSTEM_PIDFILES = ['/run/redis/redis-server.pid', '/var/run/redis/redis-server.pid', '/run/redis-server.pid'];

export function manualInstallCommand(extra = []) {
  const pkgs = [...PACKAGES, ...extra].join(' ');
  return `sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${pkgs}`;
}

function versionFields(serverBin) {
  const v = serverVersion(serverBin);
  return { version: v.version, flavour: v.flavour, major: v.major };
}

function found(openssl) {
  return {
    redisServer: which('redis-server'),
    redisCli: which('redis-cli'),
    openssl: openssl ? which('openssl') : undefined,
  };
}

/** PIDs of every redis-server on the machine (used only to tell which ones apt-get started). */
function redisServerPids() {
  const pids = new Set();
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (/redis-server|redis-check/.test(readlinkSync(`/proc/${entry}/exe`))) pids.add(Number(entry));
    } catch {
      /* gone or not readable */
    }
  }
  return pids;
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function run(cmd, args, log) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) throw new HarnessError(`${cmd} failed to run: ${res.error.message}`);
  return res;
}

function runChecked(cmd, args, log) {
  const res = run(cmd, args, log);
  if (res.status !== 0) {
    const tail = `${res.stdout}\n${res.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new HarnessError(`${cmd} ${args.join(' ')} exited with ${res.status}:\n${tail}`);
  }
  return res;
}

async function aptGet(args, log) {
  // Another apt-get may hold the lock (an engineer or a parallel run): wait for it and retry.
  const withLock = ['-o', 'DPkg::Lock::Timeout=300', ...args];
  for (let attempt = 1; ; attempt++) {
    const res = run('apt-get', withLock, log);
    if (res.status === 0) return res;
    const text = `${res.stdout}\n${res.stderr}`;
    if (attempt < 5 && /Could not get lock|Unable to lock|is another process using it/i.test(text)) {
      log(`apt-get: lock busy, retrying (${attempt})`);
      await sleep(3000);
      continue;
    }
    const tail = text.trim().split('\n').slice(-25).join('\n');
    throw new HarnessError(`apt-get ${args.join(' ')} exited with ${res.status}:\n${tail}`);
  }
}

/**
 * The server binaries to run. With NRC_REDIS_BIN_DIR set, the redis-server/redis-cli or valkey-server/valkey-cli
 * pair in that folder (a HarnessError if missing: never a silent fall back to PATH). Otherwise the ones on PATH.
 * Makes sure redis-server and redis-cli (and, with `openssl: true`, openssl) are on PATH.
 * Missing + root: `apt-get update` and `apt-get install -y redis-server redis-tools` with service starts denied by a
 * temporary policy-rc.d; any redis-server the install still started on 6379 is stopped by its pidfile.
 * Missing + not root: throws a HarnessError (exitCode 2) carrying the exact command to run.
 * Returns { redisServer, redisCli, openssl?, version, flavour: 'redis' | 'valkey' | 'unknown', major, installed,
 * binDir? }.
 */
export async function ensureRedis({ log = (m) => console.log(m), openssl = false } = {}) {
  const binDir = serverBinDirFromEnv();
  if (binDir !== undefined) {
    const chosen = serverFromDir(binDir);
    const ssl = openssl ? which('openssl') : undefined;
    if (openssl && !ssl) throw new HarnessError(`openssl not found on PATH. Install with:\n  ${manualInstallCommand(['openssl'])}`);
    return { ...chosen, openssl: ssl, installed: false };
  }
  let bins = found(openssl);
  const missing = () => !bins.redisServer || !bins.redisCli || (openssl && !bins.openssl);
  if (!missing()) return { ...bins, ...versionFields(bins.redisServer), installed: false };

  const extra = openssl && !bins.openssl ? ['openssl'] : [];
  const names = [!bins.redisServer && 'redis-server', !bins.redisCli && 'redis-cli', ...extra].filter(Boolean);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    const err = new HarnessError(
      `${names.join(', ')} not found on PATH and not running as root. Install with:\n  ${manualInstallCommand(extra)}`,
    );
    err.exitCode = 2;
    throw err;
  }
  if (!which('apt-get')) {
    throw new HarnessError(`${names.join(', ')} not found on PATH and apt-get is not available: install Redis 7.0 manually.`);
  }

  log(`${names.join(', ')} not found: installing ${[...PACKAGES, ...extra].join(' ')} with apt-get`);
  const before = redisServerPids();

  // Deny service starts during the install. Keep an existing deny-all policy as is; move any other one aside.
  let policyBackup = null;
  let policyWritten = false;
  const existing = existsSync(POLICY_RC) ? readFileSync(POLICY_RC, 'utf8') : null;
  if (existing === null || !/^\s*exit\s+101\s*$/m.test(existing)) {
    if (existing !== null) {
      policyBackup = `${POLICY_RC}.nrc-backup-${process.pid}`;
      renameSync(POLICY_RC, policyBackup);
    }
    writeFileSync(POLICY_RC, POLICY_DENY, { mode: 0o755 });
    policyWritten = true;
  }
  try {
    await aptGet(['update'], log);
    await aptGet(['install', '-y', ...PACKAGES, ...extra], log);
  } finally {
    if (policyWritten) rmSync(POLICY_RC, { force: true });
    if (policyBackup) renameSync(policyBackup, POLICY_RC);
  }

  // No system redis may be left running because of the install.
  const started = new Set();
  for (const file of SYSTEM_PIDFILES) {
    try {
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (isAlive(pid) && !before.has(pid)) started.add(pid);
    } catch {
      /* no pidfile */
    }
  }
  for (const pid of redisServerPids()) {
    if (!before.has(pid) && /:6379\b/.test(cmdline(pid))) started.add(pid);
  }
  for (const pid of started) {
    log(`stopping the redis-server (pid ${pid}) that the package install started on 6379`);
    await killPid(pid, { signal: 'SIGTERM', graceMs: 3000 });
  }

  bins = found(openssl);
  if (missing()) throw new HarnessError(`apt-get finished but ${names.join(', ')} is still not on PATH`);
  const fields = versionFields(bins.redisServer);
  log(`installed redis-server ${fields.version} (${bins.redisServer}), redis-cli (${bins.redisCli})`);
  return { ...bins, ...fields, installed: true };
}

export { runChecked };
