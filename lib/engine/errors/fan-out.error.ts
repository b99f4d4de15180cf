import { RedisClusterError } from './base.error.js';

/** What one node answered to a command sent to several nodes (its reply, or its error). */
export type NodeOutcome =
  | { readonly address: string; readonly status: 'fulfilled'; readonly value: unknown }
  | { readonly address: string; readonly status: 'rejected'; readonly reason: unknown };

/**
 * A cluster-wide command (FLUSHALL, SCRIPT LOAD, DBSIZE, CONFIG SET…, sent to every master or every
 * node by its request policy) failed on at least one node, so its combined reply would be wrong.
 * `outcomes` lists every node's reply or error: the command may have taken effect on the nodes
 * that answered. The message names the failed nodes and their error codes, never a reply value.
 */
export class NodeFanOutError extends RedisClusterError {
  readonly code = 'ERR_REDIS_FAN_OUT';
  /** The command, upper case (`FLUSHALL`, `SCRIPT LOAD`). */
  readonly command: string;
  /** One entry per node it was sent to, in the order sent. */
  readonly outcomes: readonly NodeOutcome[];

  constructor(command: string, outcomes: readonly NodeOutcome[]) {
    const failed = outcomes.filter((o): o is Extract<NodeOutcome, { status: 'rejected' }> => o.status === 'rejected');
    const detail = failed.map((o) => `${o.address} (${errorCode(o.reason)})`).join(', ');
    super(`${command} failed on ${failed.length} of ${outcomes.length} node(s): ${detail}`);
    this.command = command;
    this.outcomes = outcomes;
  }
}

function errorCode(reason: unknown): string {
  if (reason instanceof RedisClusterError) return reason.code;
  return reason instanceof Error ? reason.name : 'error';
}
