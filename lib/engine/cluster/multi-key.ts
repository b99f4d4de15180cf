import type { SplitPolicy } from '../commands/command-definition.js';
import { groupBySlot } from '../commands/key-slot.js';
import { ArgumentError } from '../errors/base.error.js';
import { PartialFailureError, type SlotOutcome } from '../errors/cluster.error.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import type { ClusterCommandOptions, CommandExecutor } from './command-executor.js';
import { splitObserver } from '../observability/observability.js';

/**
 * Runs a multi-key command whose keys may span slots as one sub-command per slot (all issued in
 * the same tick, so each node gets one write), and recomposes the raw reply:
 * `concat` keeps key order (MGET), `sum` adds counts (DEL, EXISTS, UNLINK, TOUCH),
 * `all-ok` answers OK when every slot group succeeded (MSET).
 * Whatever the policy, when any slot group fails the call rejects with PartialFailureError once
 * every group has settled: its `outcomes` say which groups ran with what reply and which failed
 * with what error (the groups that ran keep their effect). An argument list that does not make
 * whole entries of `step` (an odd MSET list) is an ArgumentError, before anything is sent.
 * @internal
 */
export async function executeSplit(
  executor: CommandExecutor,
  argv: readonly RedisArgument[],
  policy: SplitPolicy,
  step: number,
  options: ClusterCommandOptions | undefined,
): Promise<RespValue> {
  const name = argv[0]!;
  const command = String(name).toUpperCase();
  const rest = argv.slice(1);
  if (rest.length % step !== 0) {
    throw new ArgumentError(command, 0, `whole entries of ${step} arguments (key then value)`, `${rest.length} arguments`);
  }
  const groups = groupBySlot(rest, step);
  // One slot: sent as it is (a traced call then reports the node that answered, as for GET).
  if (groups.size <= 1) return executor.execute(argv, options);
  const slots = [...groups.keys()];
  // Several slots: a traced call counts its groups' redirects and retries, but has no single node.
  const observer = options?.observer;
  const partOptions = observer ? { ...options, observer: splitObserver(observer) } : options;
  const parts = slots.map((slot) => {
    const entries = groups.get(slot)!;
    const sub: RedisArgument[] = [name];
    for (const entry of entries) for (let j = 0; j < step; j++) sub.push(rest[entry * step + j]!);
    return executor.execute(sub, partOptions);
  });
  const settled = await Promise.allSettled(parts);
  const outcomes: SlotOutcome[] = settled.map((outcome, g) => {
    const slot = slots[g]!;
    const entries = groups.get(slot)!;
    return outcome.status === 'fulfilled'
      ? { slot, entries, status: 'fulfilled', value: outcome.value }
      : { slot, entries, status: 'rejected', reason: outcome.reason as unknown };
  });
  const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [{ slot: o.slot, error: o.reason }] : []));
  if (failures.length > 0) throw new PartialFailureError(command, failures, outcomes);
  const replies = settled.map((o) => (o as PromiseFulfilledResult<RespValue>).value);
  switch (policy) {
    case 'concat': {
      const out: RespValue[] = new Array(rest.length / step);
      slots.forEach((slot, g) => {
        const reply = replies[g] as RespValue[];
        groups.get(slot)!.forEach((entry, i) => (out[entry] = reply[i] ?? null));
      });
      return out;
    }
    case 'sum':
      return replies.reduce<number>((total, reply) => total + Number(reply), 0);
    case 'all-ok':
      return 'OK';
  }
}
