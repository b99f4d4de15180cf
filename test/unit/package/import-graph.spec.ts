/**
 * The shape of lib/: imports go one way (the Nest layer and integrations use the engine, never the
 * reverse) and no files import each other in a circle (type-only imports included: a cycle of
 * types is still two files that cannot be understood apart).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = process.cwd();
const IMPORT = /(?:^|[\s;])(?:import|export)\s*(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"](\.[^'"]+)['"]/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** lib-relative path → the lib-relative files it imports. */
function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of sources(join(ROOT, 'lib'))) {
    const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const targets = [...source.matchAll(IMPORT)].map((m) => relative(join(ROOT, 'lib'), resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'))));
    edges.set(relative(join(ROOT, 'lib'), file), [...new Set(targets)]);
  }
  return edges;
}

/** Strongly connected components with more than one file (Tarjan). */
function cycles(edges: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('lib/ import graph', () => {
  const edges = graph();

  it('finds the files and their imports (the check below is not vacuous)', () => {
    expect(edges.size).toBeGreaterThan(100);
    expect(edges.get('engine/cluster/command-executor.ts')).toContain('engine/cluster/retry-loop.ts');
  });

  it('has no import cycles', () => {
    expect(cycles(edges)).toEqual([]);
  });

  it('keeps the engine free of the Nest layer and the integrations', () => {
    const outward = [...edges].filter(([file]) => file.startsWith('engine/')).flatMap(([file, targets]) => targets.filter((t) => !t.startsWith('engine/')).map((t) => `${file} → ${t}`));
    expect(outward).toEqual([]);
  });

  it('detects a cycle when there is one', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
  });
});
