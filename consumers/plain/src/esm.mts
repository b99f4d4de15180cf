// Plain Node ESM app: `import` of nest-redis-cluster/client with no @nestjs/*, rxjs or reflect-metadata installed.
import { CrossSlotError, createCluster, keySlot } from 'nest-redis-cluster/client';
import { exercise } from './check.mjs';

const result = await exercise({ createCluster, keySlot, CrossSlotError }, 'esm');
// The main entry is the Nest module: without Nest installed it must fail to load, naming what is missing.
let mainEntry = 'loaded';
try {
  const mainSpecifier: string = 'nest-redis-cluster'; // not a literal: tsc must not type-check the Nest entry here
  await import(mainSpecifier);
} catch (err) {
  const e = err as { code?: string; message?: string };
  mainEntry = `${e.code}: ${/'(@nestjs\/[a-z-]+|rxjs|reflect-metadata)'/.exec(e.message ?? '')?.[1] ?? e.message}`;
}
console.log(`CONSUMER_RESULT ${JSON.stringify({ moduleSystem: typeof __filename === 'string' ? 'commonjs' : 'esm', node: process.version, ...result, mainEntry })}`);
// No process.exit(): the process must end by itself once the cluster is closed.
