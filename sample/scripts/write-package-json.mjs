// After `tsc -p sample/tsconfig.json` (lib and sample compiled together into dist-sample/), writes
// dist-sample/package.json: the package's own name and `exports`, pointing at the compiled lib/.
// The compiled sample then imports 'nest-redis-cluster' exactly as an app would, resolved by
// Node's package self-reference, without a path rewrite or a prior `npm run build`.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Maps "./dist/x.js" / "./dist/x.d.ts" to the compiled "./lib/x.js"; keeps other entries. */
function retarget(value) {
  if (typeof value === 'string') return value.replace(/^\.\/dist\//, './lib/').replace(/\.d\.ts$/, '.js');
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'types').map(([k, v]) => [k, retarget(v)]));
  return value;
}

const exportsMap = Object.fromEntries(Object.entries(pkg.exports).filter(([k]) => k !== './package.json').map(([k, v]) => [k, retarget(v)]));
const out = { name: pkg.name, version: pkg.version, private: true, type: 'module', exports: exportsMap };
writeFileSync(join(root, 'dist-sample', 'package.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(`dist-sample/package.json: ${pkg.name} -> ${Object.values(exportsMap).map((e) => e.import ?? e).join(', ')}`);
