import { createHash } from 'node:crypto';
import type { RedisArgument, RespValue } from '../resp/types.js';
import { ReplyError } from '../errors/reply.error.js';
import type { ClusterCommandOptions, CommandExecutor } from './command-executor.js';
import { callDeadline } from './retry-loop.js';

/** A Lua script known to the client: its text and SHA1, so EVALSHA can be tried first. */
export interface RedisScript {
  readonly script: string;
  readonly sha1: string;
  /** Run with EVAL_RO/EVALSHA_RO (may be served by replicas with `useReplicas`). @default false */
  readonly readOnly: boolean;
}

/** Keys (one slot in a cluster) and arguments of a script call. */
export interface ScriptCall {
  keys?: readonly RedisArgument[];
  arguments?: readonly RedisArgument[];
}

/** Declares a script once; `sha1` is computed here so calls try EVALSHA first. */
export function defineScript(script: string, options: { readOnly?: boolean } = {}): RedisScript {
  return { script, sha1: createHash('sha1').update(script).digest('hex'), readOnly: options.readOnly ?? false };
}

/**
 * EVALSHA routed by the script's keys; on NOSCRIPT (that node never saw it, e.g. after a failover)
 * the same call is sent once as EVAL, which also caches it on that node. Both share the call's
 * one deadline (`options.timeout`, default `commandTimeout`, from this call).
 * @internal
 */
export async function runScript(executor: CommandExecutor, script: RedisScript, call: ScriptCall, options?: ClusterCommandOptions): Promise<RespValue> {
  const keys = call.keys ?? [];
  const tail: RedisArgument[] = [keys.length, ...keys, ...(call.arguments ?? [])];
  const timeout = options?.timeout ?? executor.context.defaultTimeout;
  const within: ClusterCommandOptions = { ...options, timeout, deadline: options?.deadline ?? callDeadline(timeout) };
  try {
    return await executor.execute([script.readOnly ? 'EVALSHA_RO' : 'EVALSHA', script.sha1, ...tail], within);
  } catch (error) {
    if (!(error instanceof ReplyError) || error.prefix !== 'NOSCRIPT') throw error;
    return executor.execute([script.readOnly ? 'EVAL_RO' : 'EVAL', script.script, ...tail], within);
  }
}
