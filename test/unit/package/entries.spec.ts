/**
 * The package's entry points and manifest, checked from the sources (the built tarball itself is checked by
 * scripts/ci/check-package.mjs and installed into real apps by scripts/ci/consumers.mjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = process.cwd();
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
  typesVersions: Record<string, Record<string, string[]>>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  engines: { node: string };
  files: string[];
};

const IMPORT = /(?:^|[\s;])(?:import|export)\s*(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g;

/** Every file reachable from `entry` by static imports, and the bare specifiers they import (type-only included). */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [resolve(ROOT, entry)];
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    for (const m of source.matchAll(IMPORT)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return { files, packages };
}

const entries = Object.entries(pkg.exports).filter((e): e is [string, { types: string; default: string }] => typeof e[1] === 'object');

describe('nest-redis-cluster/client', () => {
  const graph = importGraph('lib/client.ts');

  it('statically imports only runtime dependencies and Node built-ins, never the Nest layer', () => {
    const external = [...graph.packages].filter((p) => !p.startsWith('node:'));
    expect(external).toEqual(expect.arrayContaining(['@ioredis/commands', 'cluster-key-slot']));
    expect(external.filter((p) => !(p in pkg.dependencies))).toEqual([]);
    const nestFiles = [...graph.files].map((f) => relative(ROOT, f)).filter((f) => f.startsWith('lib/nest/'));
    expect(nestFiles).toEqual([]);
  });

  it('is re-exported whole by the main entry, so both share one copy of every class', () => {
    expect(readFileSync(join(ROOT, 'lib/index.ts'), 'utf8')).toMatch(/^export \* from '\.\/client\.js';$/m);
  });
});

describe('package.json', () => {
  it('gives every entry types first and a default condition (require(esm) and import alike)', () => {
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const [subpath, target] of entries) {
      expect([subpath, Object.keys(target)]).toEqual([subpath, ['types', 'default']]);
      expect(target.default).toMatch(/^\.\/dist\/[\w-]+\.js$/);
      expect(target.types).toBe(target.default.replace(/\.js$/, '.d.ts'));
    }
  });

  it('maps every subpath in typesVersions for moduleResolution node10', () => {
    const map = pkg.typesVersions['*']!;
    const subpaths = entries.map(([s]) => s).filter((s) => s !== '.');
    expect(Object.keys(map).sort()).toEqual(subpaths.map((s) => s.slice(2)).sort());
    for (const [subpath, target] of entries) if (subpath !== '.') expect(map[subpath.slice(2)]).toEqual([target.types]);
  });

  it('has a source file for every entry it exports, except the integration entries still being written', () => {
    const missing = entries.map(([, t]) => t.default.replace(/^\.\/dist\//, 'lib/').replace(/\.js$/, '.ts')).filter((f) => !existsSync(join(ROOT, f)));
    expect(missing.filter((f) => f !== 'lib/keyv.ts' && f !== 'lib/throttler.ts')).toEqual([]);
  });

  it('declares every peer optional and tests each one (a dev dependency inside its range)', () => {
    for (const name of Object.keys(pkg.peerDependencies)) {
      expect([name, pkg.peerDependenciesMeta[name]?.optional]).toEqual([name, true]);
      expect([name, typeof pkg.devDependencies[name]]).toEqual([name, 'string']);
      const major = Number(pkg.devDependencies[name]!.split('.')[0]);
      expect([name, pkg.peerDependencies[name]!.split('||').some((r) => Number(/\d+/.exec(r)?.[0]) === major)]).toEqual([name, true]);
    }
    expect(Object.keys(pkg.peerDependencies)).toEqual(expect.arrayContaining(['@nestjs/common', '@nestjs/core', 'rxjs', 'reflect-metadata', '@nestjs/terminus']));
  });

  it('requires the Nodes with require(esm) on by default', () => {
    expect(pkg.engines.node).toBe('^20.19.0 || ^22.12.0 || >=24.0.0');
  });

  it('ships the docs the README links to', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((h) => !/^[a-z][a-z0-9+.-]*:/i.test(h));
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      expect([link, pkg.files.some((f) => link === f || link.startsWith(`${f}/`))]).toEqual([link, true]);
      expect([link, existsSync(join(ROOT, link))]).toEqual([link, true]);
    }
  });
});
