#!/usr/bin/env node
// Package checks on the packed tarball (what a user installs):
//   node scripts/ci/check-package.mjs [--no-pack]
// 1. npm pack (prepack builds dist/) -> .pack/nest-redis-cluster.tgz
// 2. every `exports` target, the docs the README links to and LICENSE are in the tarball; every source map in it
//    carries its sources (sourcesContent) or points at shipped files
// 3. every present entry loads with require() from the built dist/ (the repo's dev dependencies provide the peers)
// 4. publint (warnings are failures; suggestions are printed)
// 5. @arethetypeswrong/cli on the tarball, ignoring only `cjs-resolves-to-esm` (see below)
// The .d.ts type-check with skipLibCheck:false under node10/node16/nodenext/bundler is consumers/types (run by
// scripts/ci/consumers.mjs), since it needs @nestjs/* installed the way a user has them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CiError, entryPoints, formatSeconds, log, packTarball, readPackageJson, REPO_ROOT, run, step, TARBALL } from './ci-lib.mjs';

/**
 * attw's only ignored rule. "CJS resolves to ESM" is the design: the package is ESM only, and CommonJS apps load it
 * with Node's require(esm), on by default on every Node the package supports (engines: ^20.19 || ^22.12 || >=24),
 * and TypeScript >= 5.8 allows it under `module: nodenext` (attw's "node16 (from CJS)" column models
 * `module: node16`, which does not). node10 (classic `nest new` CommonJS apps) resolves through typesVersions and is
 * checked by attw; the consumers (nest11-cjs, plain/cjs) run the CommonJS path for real.
 */
const ATTW_IGNORED_RULES = ['cjs-resolves-to-esm'];

function tarEntries(file) {
  return run('tar', ['-tzf', file], { capture: true }).stdout.split('\n').filter(Boolean).map((p) => p.replace(/^package\//, ''));
}

function tarRead(file, path) {
  return run('tar', ['-xzOf', file, `package/${path}`], { capture: true }).stdout;
}

/** Relative links of README.md (and the docs it links to) that must resolve inside the tarball. */
function readmeLinks() {
  const text = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const links = new Set();
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const href = m[1].split('#')[0];
    if (!href || /^[a-z][a-z0-9+.-]*:/i.test(href)) continue;
    links.add(href.replace(/^\.\//, ''));
  }
  return [...links];
}

async function main() {
  const t0 = Date.now();
  const noPack = process.argv.includes('--no-pack');
  const pkg = readPackageJson();
  const entries = entryPoints(pkg);
  const pending = entries.filter((e) => !e.present);
  if (pending.length) {
    log(`pending entries (source not in this tree, left out of the checks): ${pending.map((e) => `${e.subpath} (${e.source})`).join(', ')}`);
  }

  step('npm pack');
  if (!noPack || !existsSync(TARBALL)) {
    const p = packTarball();
    log(`${TARBALL}: ${p.files.length} files, ${(p.size / 1024).toFixed(0)} KiB packed, ${(p.unpackedSize / 1024).toFixed(0)} KiB unpacked (${formatSeconds(p.ms)})`);
  }
  const files = new Set(tarEntries(TARBALL));
  const problems = [];

  step('tarball contents');
  for (const e of entries.filter((x) => x.present)) {
    for (const f of [e.js, e.types]) if (!files.has(f.replace(/^\.\//, ''))) problems.push(`exports["${e.subpath}"] -> ${f} is not in the tarball`);
  }
  for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', ...readmeLinks()]) {
    if (!files.has(f)) problems.push(`${f} (${f === 'package.json' ? 'manifest' : 'linked from README.md or required'}) is not in the tarball`);
  }
  const forbidden = [...files].filter((f) => /^(lib|test|scripts|consumers|\.ci|\.tools|\.pack|node_modules)\//.test(f) || f.endsWith('.tsbuildinfo'));
  if (forbidden.length) problems.push(`files that should not ship: ${forbidden.slice(0, 10).join(', ')}${forbidden.length > 10 ? ' ...' : ''}`);
  let maps = 0;
  for (const f of [...files].filter((x) => x.endsWith('.map'))) {
    maps++;
    const map = JSON.parse(tarRead(TARBALL, f));
    const dir = f.split('/').slice(0, -1);
    map.sources.forEach((src, i) => {
      if (map.sourcesContent?.[i] != null) return;
      const parts = [...dir];
      for (const seg of src.split('/')) seg === '..' ? parts.pop() : seg !== '.' && parts.push(seg);
      if (!files.has(parts.join('/'))) problems.push(`${f}: source ${src} is neither inlined nor shipped`);
    });
  }
  log(`${files.size} files; ${entries.filter((e) => e.present).length} entries present; ${maps} source maps checked (sources inlined or shipped)`);

  step('require() of every entry (CommonJS, Node require(esm); fails on top-level await or a missing file)');
  for (const e of entries.filter((x) => x.present)) {
    const target = join(REPO_ROOT, e.js);
    const r = run(process.execPath, ['-e', `const m = require(${JSON.stringify(target)}); if (!Object.keys(m).length) throw new Error('no exports');`], { capture: true, allowFail: true });
    if (r.status !== 0 || /ExperimentalWarning/.test(r.stderr)) problems.push(`require('${e.subpath}') failed or warned: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 6).join(' | ')}`);
    else log(`  require('nest-redis-cluster${e.subpath.slice(1)}'): ok`);
  }

  step('publint');
  const { publint } = await import('publint');
  const { formatMessage } = await import('publint/utils');
  const tarball = readFileSync(TARBALL);
  const result = await publint({ pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) }, level: 'suggestion' });
  const isPending = (m) => pending.some((e) => (m.path[0] === 'exports' && m.path[1] === e.subpath) || (m.path[0] === 'typesVersions' && m.path[2] === e.name));
  let publintFailures = 0;
  for (const m of result.messages) {
    const text = formatMessage(m, result.pkg) ?? m.code;
    if (isPending(m)) {
      log(`  (pending entry) ${m.type}: ${text}`);
      continue;
    }
    log(`  ${m.type}: ${text}`);
    if (m.type !== 'suggestion') publintFailures++;
  }
  if (publintFailures) problems.push(`publint: ${publintFailures} error(s)/warning(s)`);
  else log(`publint: clean (${result.messages.filter((m) => m.type === 'suggestion' && !isPending(m)).length} suggestion(s))`);

  step(`attw (ignoring ${ATTW_IGNORED_RULES.join(', ')})`);
  const attwArgs = [join(REPO_ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js'), TARBALL, '--format', 'table-flipped', '--no-emoji', '--no-color', '--ignore-rules', ...ATTW_IGNORED_RULES];
  if (pending.length) attwArgs.push('--exclude-entrypoints', ...pending.map((e) => e.subpath));
  const attw = run(process.execPath, attwArgs, { capture: true, allowFail: true });
  log(attw.stdout.trim());
  if (attw.status !== 0) problems.push(`attw exited with ${attw.status}${attw.stderr ? `: ${attw.stderr.trim()}` : ''}`);

  if (problems.length) throw new CiError(`package check failed:\n  - ${problems.join('\n  - ')}`);
  log(`\npackage check passed in ${formatSeconds(Date.now() - t0)}`);
}

main().catch((err) => {
  console.error(err instanceof CiError ? err.message : err);
  process.exit(1);
});
