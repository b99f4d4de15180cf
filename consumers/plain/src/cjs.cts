// Plain Node CommonJS app: compiled to require('nest-redis-cluster/client') (Node's require(esm);
// TypeScript >= 5.8 allows it under module nodenext), with no Nest installed.
import { CrossSlotError, createCluster, keySlot } from 'nest-redis-cluster/client';

async function main(): Promise<void> {
  const { exercise } = await import('./check.mjs');
  const result = await exercise({ createCluster, keySlot, CrossSlotError }, 'cjs');
  const viaRequire = require('nest-redis-cluster/client') as { createCluster: unknown };
  if (viaRequire.createCluster !== createCluster) throw new Error('require() returned another copy of the client');
  console.log(`CONSUMER_RESULT ${JSON.stringify({ moduleSystem: typeof __filename === 'string' ? 'commonjs' : 'esm', node: process.version, ...result })}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
