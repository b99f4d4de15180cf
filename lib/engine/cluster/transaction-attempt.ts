import type { NodeConnection } from '../connection/node-connection.js';
import { AskError, ClusterDownError, ExecAbortError, MovedError, TryAgainError } from '../errors/reply.error.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import type { ClusterNode } from './cluster-node.js';
import type { CommandExecutor } from './command-executor.js';
import { RetryLoop, type LoopDeadline } from './retry-loop.js';

/** The reply of EXEC, and the errors of the queued commands (QUEUED replies that failed). @internal */
export interface BlockOutcome {
  readonly exec: RespValue;
  readonly queuedErrors: Error[];
}

/**
 * Writes `[ASKING] MULTI cmd… EXEC` as one block (the queue keeps it contiguous and never splits it
 * across sockets). Rejects with the redirect (MOVED/ASK/TRYAGAIN/CLUSTERDOWN) of the first queued
 * command that got one, when EXEC was aborted because of it (nothing ran); else with EXEC's error.
 * Every command of the block carries the call's absolute `deadline` (epoch ms; Infinity = none).
 * @internal
 */
export function sendBlock(
  connection: NodeConnection,
  commands: ReadonlyArray<readonly RedisArgument[]>,
  asking: boolean,
  deadline: number,
  resolve: (outcome: BlockOutcome) => void,
  reject: (error: Error) => void,
): void {
  const queuedErrors: Error[] = [];
  const collect = (error: Error) => queuedErrors.push(error);
  const ignore = () => undefined;
  const block: Array<{ args: readonly RedisArgument[]; resolve: (value: RespValue) => void; reject: (error: Error) => void }> = [];
  if (asking) block.push({ args: ['ASKING'], resolve: ignore, reject: collect });
  block.push({ args: ['MULTI'], resolve: ignore, reject: collect });
  for (const argv of commands) block.push({ args: argv, resolve: ignore, reject: collect });
  block.push({
    args: ['EXEC'],
    resolve: (exec) => resolve({ exec, queuedErrors }),
    reject: (error) => {
      const redirect = queuedErrors.find(
        (e) => e instanceof MovedError || e instanceof AskError || e instanceof TryAgainError || e instanceof ClusterDownError,
      );
      if (error instanceof ExecAbortError && redirect) reject(redirect);
      else reject(error);
    },
  });
  connection.enqueueBlock(block, deadline === Infinity ? { timeout: 0 } : { deadline, timeout: Math.max(1, deadline - Date.now()) });
}

/**
 * A routed MULTI/EXEC through the shared retry loop: a MOVED or ASK for the block re-runs the
 * whole block on the new owner (ASKING before MULTI), TRYAGAIN/CLUSTERDOWN retry it after a
 * backoff (EXEC discarded it, nothing ran), all within the call's one deadline. A block that may
 * have run (its socket died after it was written) is never re-sent.
 * @internal
 */
export class TransactionAttempt extends RetryLoop<RespValue[]> {
  constructor(
    executor: CommandExecutor,
    private readonly commands: ReadonlyArray<readonly RedisArgument[]>,
    slot: number | undefined,
    deadline: LoopDeadline,
    resolve: (value: RespValue[]) => void,
    reject: (error: Error) => void,
  ) {
    super(executor, 'MULTI', slot, deadline.at, deadline.timeoutMs, false, true, resolve, reject);
  }

  protected send(node: ClusterNode, asking: boolean): void {
    sendBlock(node.connection, this.commands, asking, this.at, (outcome) => this.resolve(outcome.exec as RespValue[]), this.fail);
  }
}
