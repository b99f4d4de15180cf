import type { SplitPolicy } from '../commands/command-definition.js';
import { groupBySlot } from '../commands/key-slot.js';
import { PartialFailureError } from '../errors/cluster.error.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import type { ClusterCommandOptions, CommandExecutor } from './command-executor.js';

/**
 * Runs a multi-key command whose keys may span slots as one sub-command per slot (all issued in
 * the same tick, so each node gets one write), and recomposes the raw reply:
 * `concat` keeps key order (MGET), `sum` adds counts (DEL, EXISTS, UNLINK, TOUCH),
 * `all-ok` answers OK only when every slot group succeeded (MSET), else PartialFailureError.
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
  const rest = argv.slice(1);
  const groups = groupBySlot(rest, step);
  if (groups.size <= 1) return executor.execute(argv, options);
  const slots = [...groups.keys()];
  const parts = slots.map((slot) => {
    const entries = groups.get(slot)!;
    const sub: RedisArgument[] = [name];
    for (const entry of entries) for (let j = 0; j < step; j++) sub.push(rest[entry * step + j]!);
    return executor.execute(sub, options);
  });
  switch (policy) {
    case 'concat': {
      const replies = await Promise.all(parts);
      const out: RespValue[] = new Array(Math.floor(rest.length / step));
      slots.forEach((slot, g) => {
        const reply = replies[g] as RespValue[];
        groups.get(slot)!.forEach((entry, i) => (out[entry] = reply[i] ?? null));
      });
      return out;
    }
    case 'sum': {
      const replies = await Promise.all(parts);
      return replies.reduce<number>((total, reply) => total + Number(reply), 0);
    }
    case 'all-ok': {
      const outcomes = await Promise.allSettled(parts);
      const failures = outcomes.flatMap((outcome, g) => (outcome.status === 'rejected' ? [{ slot: slots[g]!, error: outcome.reason as unknown }] : []));
      if (failures.length > 0) throw new PartialFailureError(String(name).toUpperCase(), failures);
      return 'OK';
    }
  }
}
