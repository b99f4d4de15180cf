import { RedisClusterError } from '../errors/base.error.js';
import { ReplyError } from '../errors/reply.error.js';

const PREFIX = /^[A-Z][A-Z0-9_]{0,31}$/;

/**
 * The `error.type` of a failed operation, low-cardinality and free of values: the reply prefix
 * of a server error (`WRONGTYPE`, `NOSCRIPT`…; anything else a script may return becomes `ERR`),
 * the stable `code` of the client's own errors, the class name of anything else.
 * @internal
 */
export function errorType(error: unknown): string {
  if (error instanceof ReplyError) return PREFIX.test(error.prefix) ? error.prefix : 'ERR';
  if (error instanceof RedisClusterError) return error.code;
  if (error instanceof Error) return PREFIX.test(error.name.toUpperCase()) ? error.name : 'Error';
  return '_OTHER';
}
