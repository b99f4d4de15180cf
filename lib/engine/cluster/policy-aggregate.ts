import type { RespValue } from '../resp/types.js';
import { ReplyError } from '../errors/reply.error.js';

/**
 * Combines the replies of a command sent to several nodes, by the command table's response
 * policy (pure; see https://redis.io/docs/latest/develop/reference/command-tips/):
 * - `all_succeeded` / `one_succeeded`: the first reply (callers decide what failures mean);
 * - `agg_sum`, `agg_min`, `agg_max`: numbers combined, element by element for arrays (WAITAOF);
 * - `agg_logical_and` / `agg_logical_or`: 0/1 (or booleans) combined, element by element (SCRIPT EXISTS);
 * - no policy: arrays concatenated (KEYS), maps merged, otherwise the first reply;
 * - `special` for RANDOMKEY: a random reply that is not null.
 * Replies of shapes that cannot be combined throw a ReplyError (nothing is guessed).
 * @internal
 */
export function aggregateReplies(command: string, response: string | undefined, replies: readonly RespValue[]): RespValue {
  if (replies.length === 0) return null;
  switch (response) {
    case 'all_succeeded':
    case 'one_succeeded':
      return replies[0]!;
    case 'agg_sum':
      return combine(command, replies, (a, b) => a + b);
    case 'agg_min':
      return combine(command, replies, Math.min);
    case 'agg_max':
      return combine(command, replies, Math.max);
    case 'agg_logical_and':
      return logical(command, replies, (a, b) => a && b);
    case 'agg_logical_or':
      return logical(command, replies, (a, b) => a || b);
    case 'special':
      return randomNonNull(replies);
    default:
      return concat(replies);
  }
}

function combine(command: string, replies: readonly RespValue[], op: (a: number, b: number) => number): RespValue {
  const first = replies[0]!;
  if (Array.isArray(first)) {
    const length = first.length;
    if (!replies.every((r) => Array.isArray(r) && r.length === length)) throw shapeError(command);
    return first.map((_, i) => combine(command, replies.map((r) => (r as RespValue[])[i]!), op));
  }
  let total: number | undefined;
  for (const reply of replies) {
    if (typeof reply !== 'number') throw shapeError(command);
    total = total === undefined ? reply : op(total, reply);
  }
  return total!;
}

function logical(command: string, replies: readonly RespValue[], op: (a: boolean, b: boolean) => boolean): RespValue {
  const first = replies[0]!;
  if (Array.isArray(first)) {
    const length = first.length;
    if (!replies.every((r) => Array.isArray(r) && r.length === length)) throw shapeError(command);
    return first.map((_, i) => logical(command, replies.map((r) => (r as RespValue[])[i]!), op));
  }
  let result: boolean | undefined;
  for (const reply of replies) {
    if (typeof reply !== 'number' && typeof reply !== 'boolean') throw shapeError(command);
    const value = reply === true || reply === 1;
    result = result === undefined ? value : op(result, value);
  }
  return typeof first === 'boolean' ? result! : result ? 1 : 0;
}

function concat(replies: readonly RespValue[]): RespValue {
  if (replies.every((r) => Array.isArray(r))) return (replies as RespValue[][]).flat(1);
  if (replies.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r) && !Buffer.isBuffer(r) && !(r instanceof ReplyError))) {
    return Object.assign(Object.create(null) as Record<string, RespValue>, ...replies) as RespValue;
  }
  return replies[0]!;
}

function randomNonNull(replies: readonly RespValue[]): RespValue {
  const candidates = replies.filter((r) => r !== null);
  return candidates.length === 0 ? null : candidates[Math.floor(Math.random() * candidates.length)]!;
}

function shapeError(command: string): ReplyError {
  return new ReplyError(`ERR ${command}: the nodes' replies have different shapes and cannot be combined`);
}
