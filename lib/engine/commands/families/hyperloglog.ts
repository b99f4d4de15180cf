import { defineCommand } from '../command-definition.js';
import type { RedisArgument } from '../../resp/types.js';
import { passThrough } from '../transforms.js';
import { pushVariadic, type VariadicArgument } from './arguments.js';

export const HYPERLOGLOG_COMMANDS = {
  /** PFADD: adds elements to the HyperLogLog; 1 if its estimate changed, 0 otherwise. */
  pfAdd: defineCommand({
    build: (key: RedisArgument, elements?: VariadicArgument) => {
      const argv: RedisArgument[] = ['PFADD', key];
      if (elements !== undefined) pushVariadic(argv, elements);
      return argv;
    },
    transform: passThrough<number>(),
  }),
  /** PFCOUNT: the estimated cardinality (of the union when several keys, same slot). */
  pfCount: defineCommand({
    build: (keys: VariadicArgument) => pushVariadic(['PFCOUNT'], keys),
    transform: passThrough<number>(),
  }),
  /** PFMERGE: merges `sources` into `destination` (same slot); `'OK'`. */
  pfMerge: defineCommand({
    build: (destination: RedisArgument, sources?: VariadicArgument) => {
      const argv: RedisArgument[] = ['PFMERGE', destination];
      if (sources !== undefined) pushVariadic(argv, sources);
      return argv;
    },
    transform: passThrough<'OK'>(),
  }),
};
