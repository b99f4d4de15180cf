// Helpers shared by the package checks, the consumer runs and the Node matrix (scripts/ci/*.mjs).
// Plain Node ESM, no dependencies beyond the repo's dev dependencies.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/util.mjs';

export { REPO_ROOT };
export const PACK_DIR = join(REPO_ROOT, '.pack');
/** Stable name of the packed tarball the consumers install (npm pack names it <name>-<version>.tgz). */
export const TARBALL = join(PACK_DIR, 'nest-redis-cluster.tgz');

export const log = (m) => process.stdout.write(`${m}\n`);
export const step = (m) => log(`\n--> ${m}`);

export class CiError extends Error {}

/**
 * Runs a command with inherited stdio (or captured, with `capture`), throwing CiError on a non-zero exit.
 * Returns { stdout, ms }.
 */
export function run(cmd, args, { cwd = REPO_ROOT, env, capture = false, allowFail = false } = {}) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, {
    cwd,
    env: env ? { ...process.env, ...env } : process.env,
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Date.now() - t0;
  if (r.error) throw new CiError(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0 && !allowFail) {
    const out = capture ? `\n${r.stdout ?? ''}${r.stderr ?? ''}` : '';
    throw new CiError(`${cmd} ${args.join(' ')} (in ${cwd}) exited with ${r.status ?? r.signal}${out}`);
  }
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status, ms };
}

export const formatSeconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

export function readPackageJson(dir = REPO_ROOT) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/**
 * The package's entry points from `exports`: [{ subpath: './client', name: 'client', js: './dist/client.js',
 * types: './dist/client.d.ts', source: 'lib/client.ts', present: bool }] (package.json excluded).
 * An entry whose source file is not in this tree (e.g. ./keyv before its branch is merged) is `present: false`:
 * the checks report it as pending and leave it out, instead of failing on a file nobody has written yet.
 */
export function entryPoints(pkg = readPackageJson()) {
  const out = [];
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (typeof target !== 'object' || target === null) continue;
    const js = target.default ?? target.import;
    const name = subpath === '.' ? 'index' : subpath.slice(2);
    const source = js.replace(/^\.\/dist\//, 'lib/').replace(/\.js$/, '.ts');
    out.push({ subpath, name, js, types: target.types, source, present: existsSync(join(REPO_ROOT, source)) });
  }
  return out;
}

/** `npm pack` (its prepack script builds dist/) into .pack/, renamed to TARBALL. Returns { file, files, ms }. */
export function packTarball() {
  rmSync(PACK_DIR, { recursive: true, force: true });
  mkdirSync(PACK_DIR, { recursive: true });
  const { stdout, ms } = run('npm', ['pack', '--pack-destination', PACK_DIR, '--json', '--foreground-scripts'], { capture: true });
  const jsonStart = stdout.indexOf('[\n');
  const info = JSON.parse(stdout.slice(jsonStart >= 0 ? jsonStart : stdout.indexOf('[')))[0];
  renameSync(join(PACK_DIR, info.filename), TARBALL);
  return { file: TARBALL, files: info.files.map((f) => f.path), size: info.size, unpackedSize: info.unpackedSize, ms };
}
