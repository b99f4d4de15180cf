import type { RedisArgument } from '../resp/types.js';

function num(value: RedisArgument | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value.toString());
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * How long the server may legitimately block this command, in ms: `Infinity` for "forever"
 * (timeout 0), `undefined` when the command does not block or the timeout cannot be read.
 * The client's deadline for a blocking command is this plus `commandTimeout`.
 * @internal
 */
export function serverBlockMs(name: string, argv: readonly RedisArgument[]): number | undefined {
  let seconds: number | undefined;
  switch (name) {
    case 'BLPOP':
    case 'BRPOP':
    case 'BRPOPLPUSH':
    case 'BLMOVE':
    case 'BZPOPMIN':
    case 'BZPOPMAX':
      seconds = num(argv[argv.length - 1]);
      break;
    case 'BLMPOP':
    case 'BZMPOP':
      seconds = num(argv[1]);
      break;
    case 'WAIT':
    case 'WAITAOF': {
      const ms = num(argv[argv.length - 1]);
      return ms === undefined ? undefined : ms === 0 ? Infinity : ms;
    }
    case 'XREAD':
    case 'XREADGROUP': {
      for (let i = 1; i < argv.length - 1; i++) {
        const token = argv[i];
        if (typeof token === 'string' && token.toUpperCase() === 'BLOCK') {
          const ms = num(argv[i + 1]);
          return ms === undefined ? undefined : ms === 0 ? Infinity : ms;
        }
      }
      return undefined;
    }
    default:
      return undefined;
  }
  return seconds === undefined ? undefined : seconds === 0 ? Infinity : seconds * 1000;
}
