// Small helpers shared by the server harness. Plain Node ESM, no dependencies.
import { accessSync, constants, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HOST = '127.0.0.1';

/** Repository root (scripts/lib/ is two levels below it). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class HarnessError extends Error {
  constructor(message, details) {
    super(message);
    this.name = 'HarnessError';
    if (details !== undefined) this.details = details;
  }
}

/**
 * Polls `check` until it returns a truthy value (which is returned), or throws after `timeoutMs`.
 * `check` may return a falsy value or throw; the last problem is reported in the timeout error.
 * `describe` (optional) returns extra text for the timeout error (e.g. the last observed state).
 */
export async function waitFor(check, { timeoutMs = 10_000, intervalMs = 50, what = 'condition', describe } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      let extra = '';
      if (describe) {
        try {
          extra = String(await describe());
        } catch {
          /* ignore */
        }
      }
      const cause = lastError ? `; last error: ${lastError.message ?? lastError}` : '';
      throw new HarnessError(`timed out after ${timeoutMs} ms waiting for ${what}${cause}${extra ? `\n${extra}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

/** Finds an executable on PATH (plus the usual sbin dirs); returns its absolute path or null. */
export function which(name) {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const extra of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/local/sbin', '/usr/sbin', '/sbin']) {
    if (!dirs.includes(extra)) dirs.push(extra);
  }
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  return null;
}

export function readJson(file, fallback = undefined) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if (fallback !== undefined && (err.code === 'ENOENT' || err instanceof SyntaxError)) return fallback;
    throw err;
  }
}

/** Writes JSON atomically (temp file + rename), so concurrent readers never see half a file. */
export function writeJsonAtomic(file, value) {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}

export function formatMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** Collapses a sorted list of slot numbers into [start, end] ranges. */
export function toRanges(slots) {
  const ranges = [];
  for (const s of slots) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === s - 1) last[1] = s;
    else ranges.push([s, s]);
  }
  return ranges;
}

export function formatRanges(ranges) {
  return ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
}
