// Process helpers: liveness that treats zombies as dead, identity checks before signalling, kill by PID.
import { readFileSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { isServerExecutable } from './server-bin.mjs';
import { sleep } from './util.mjs';

/** The one-letter state from /proc/<pid>/stat ('R', 'S', 'T', 'Z', ...), or null if there is no such process. */
export function procState(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ..." where comm may contain spaces and parentheses: take the text after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || null;
  } catch {
    return null;
  }
}

/**
 * True if the process exists and is not a zombie. Nodes outlive the script that started them, so they can be
 * re-parented to a PID 1 that does not reap: after a kill they linger as zombies, which `kill(pid, 0)` still reports
 * as alive.
 */
export function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code === 'ESRCH') return false;
    // EPERM: exists but not ours. Fall through to /proc.
  }
  const state = procState(pid);
  if (state === null) {
    // No /proc (not Linux): trust kill(0).
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  return state !== 'Z' && state !== 'X';
}

/** True if the process is stopped (SIGSTOP). */
export function isStopped(pid) {
  const state = procState(pid);
  return state === 'T' || state === 't';
}

/**
 * Guards against PID reuse: true only if `pid` is a live redis-server (or valkey-server) and, when given, its working directory is
 * `dir` (redis chdir()s to its `dir`), or its command line / title mentions `:port`.
 */
export function isRedisProcess(pid, { dir, port } = {}) {
  if (!isAlive(pid)) return false;
  let exe = '';
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    /* not readable */
  }
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    /* gone */
  }
  if (!isServerExecutable(exe) && !isServerExecutable(cmdline)) return false;
  if (dir) {
    try {
      if (resolve(readlinkSync(`/proc/${pid}/cwd`)) === resolve(dir)) return true;
    } catch {
      /* fall through to the port check */
    }
  }
  if (port !== undefined) return cmdline.includes(`:${port}`) || cmdline.includes(` ${port} `) || cmdline.endsWith(` ${port}`);
  return !dir;
}

function parentPid(pid) {
  try {
    const m = /^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Resolves true once the process is dead. If this process is its parent, also waits (briefly) for libuv to reap it,
 * so no zombie is left behind when we exit (PID 1 on this kind of VM does not reap orphans).
 */
export async function waitDead(pid, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(10);
  }
  const reapDeadline = Date.now() + 1000;
  while (procState(pid) === 'Z' && parentPid(pid) === process.pid && Date.now() < reapDeadline) await sleep(10);
  return true;
}

/**
 * Stops one process by PID: `signal` first (default SIGTERM), then SIGKILL if it is still alive after `graceMs`.
 * A stopped (SIGSTOP) process is sent SIGCONT so SIGTERM can be handled. Resolves true once it is gone.
 */
export async function killPid(pid, { signal = 'SIGTERM', graceMs = 1500 } = {}) {
  if (!isAlive(pid)) return true;
  try {
    process.kill(pid, signal);
    if (signal !== 'SIGKILL' && isStopped(pid)) process.kill(pid, 'SIGCONT');
  } catch (err) {
    if (err.code === 'ESRCH') return true;
    throw err;
  }
  if (signal === 'SIGKILL') return waitDead(pid, 5000);
  if (await waitDead(pid, graceMs)) return true;
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if (err.code === 'ESRCH') return true;
    throw err;
  }
  return waitDead(pid, 5000);
}
