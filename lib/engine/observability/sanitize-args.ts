import { redactSecrets } from './secret-args.js';

/**
 * Which arguments of a command may appear in a trace. The rules follow those of
 * `@opentelemetry/redis-common` (also used by node-redis and ioredis): structural and read
 * commands show every argument; writes show their leading key/field arguments and replace the
 * values by `?`; any other command (AUTH, HELLO, MIGRATE, modules, unknown names) shows only its
 * name. Written from the published rules, not copied. Credentials (AUTH, HELLO AUTH, MIGRATE AUTH,
 * ACL SETUSER rules, CONFIG SET values) are then redacted on top: see `secret-args.ts`.
 */
const RULES: ReadonlyArray<readonly [pattern: RegExp, shown: number]> = [
  [/^ECHO/i, 0],
  [/^(GETSET|LPUSH|MSET|PFA|PSETEX|PUBLISH|RPUSH|SADD|SET|SPUBLISH|XADD|ZADD)/i, 1],
  [/^(HSET|HMSET|LSET|LINSERT)/i, 2],
  [/^(ACL|BIT|B[LRZ]|CLIENT|CLUSTER|CONFIG|COMMAND|DECR|DEL|EVAL|EX|FUNCTION|GEO|GET|HINCR|HMGET|HSCAN|INCR|L[TRLM]|MEMORY|P[EFISTU]|RPOP|S[CDIMORSU]|XACK|X[CDGILPRT]|Z[CDILMPRS])/i, -1],
];

/** Shown in place of a redacted argument. */
export const REDACTED = '?';

/** How many arguments after the name `command` may show: -1 for all. @internal */
export function shownArgumentCount(command: string): number {
  for (const [pattern, shown] of RULES) if (pattern.test(command)) return shown;
  return 0;
}

/** One argument as text; anything that cannot be turned into text safely becomes `?`. @internal */
export function argumentText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return REDACTED;
}

/**
 * The arguments of a command as a trace shows them: the command name first, then each argument
 * as text, values of writes (and every argument of unlisted commands) replaced by `?` unless
 * `includeValues` is true. Credentials are `?` even with `includeValues`: every AUTH argument, the
 * user and password of `HELLO … AUTH` and `MIGRATE … AUTH/AUTH2`, the rules of `ACL SETUSER`
 * (`>pass`, `#hash`…), every value of `CONFIG SET`, and the arguments of unknown ACL and CONFIG
 * subcommands. Never throws, whatever `argv` holds.
 */
export function sanitizeArgs(argv: readonly unknown[], includeValues = false): string[] {
  if (!Array.isArray(argv) || argv.length === 0) return [];
  const name = argumentText(argv[0]);
  const out: string[] = new Array<string>(argv.length);
  out[0] = name;
  const shown = includeValues ? -1 : shownArgumentCount(name);
  for (let i = 1; i < argv.length; i++) out[i] = shown === -1 || i <= shown ? argumentText(argv[i]) : REDACTED;
  redactSecrets(argv, out, includeValues, argumentText, sanitizeArgs, REDACTED);
  return out;
}
