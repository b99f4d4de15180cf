import type { RedisArgument, RespValue } from '../resp/types.js';
import { PASS_THROUGH } from './transforms.js';

/**
 * How a cluster spreads a multi-key command whose keys hash to different slots.
 * - `concat`: one sub-command per slot, replies re-assembled in key order (MGET).
 * - `sum`: one sub-command per slot, integer replies added (DEL, EXISTS, UNLINK, TOUCH).
 * - `all-ok`: one sub-command per slot; OK when every part is OK, otherwise PartialFailureError (MSET).
 * Commands without a policy must have all keys in one slot (CrossSlotError before sending).
 */
export type SplitPolicy = 'concat' | 'sum' | 'all-ok';

/**
 * One command: how its arguments become argv and how its raw reply becomes the documented
 * shape. Routing (key positions, read-only, blocking) comes from the command table, not from here.
 */
export interface CommandDefinition<A extends unknown[] = unknown[], R = unknown> {
  /**
   * Builds argv, command name first (e.g. `['GET', key]`). Write it for valid input only: the
   * boundary (`buildCommand` in validate-command.ts) refuses null/NaN/Symbol/BigInt/function
   * arguments before calling it, turns anything it throws into an ArgumentError rejection, and
   * checks every argv entry it returns (string, Buffer or finite number) mapping a bad one back to
   * the method argument or option path. Throw `ArgumentError` yourself only for rules the argv
   * cannot show (an odd key/value list, an unknown enum value that would otherwise be ignored, a
   * falsy mistake such as `0` taken as "absent"). The command name (and subcommand) it emits
   * must not depend on the arguments: the cluster remembers per definition whether it is routed
   * cluster-wide.
   */
  readonly build: (...args: A) => RedisArgument[];
  /** Shapes the raw reply; must accept the RESP2 and the RESP3 form of it. Identity when absent. */
  readonly transform?: (reply: RespValue) => R;
  /** Decode this command's reply strings as Buffers. */
  readonly buffers?: boolean;
  /**
   * Route by the slot of the argv entry at this index as if it were a key (PUBLISH: 1, the
   * channel), so that one channel's calls always go to the same node and keep their order.
   */
  readonly routeByArgument?: number;
}

/** Declares a command with full type inference of its arguments and result. */
export function defineCommand<A extends unknown[], R = RespValue>(def: CommandDefinition<A, R>): CommandDefinition<A, R> {
  return def;
}

/**
 * The reply of a definition's call, shaped by its `transform`: `raw` itself when there is none or
 * it is the shared pass-through (no extra promise and microtask per call on the hot path).
 * @internal
 */
export function transformReply(raw: Promise<RespValue>, def: { readonly transform?: ((reply: RespValue) => unknown) | undefined }): Promise<unknown> {
  const transform = def.transform;
  return transform === undefined || transform === PASS_THROUGH ? raw : raw.then(transform);
}

/** Arguments of a definition. */
export type CommandArgs<D> = D extends CommandDefinition<infer A, unknown> ? A : never;
/** Result of a definition (after transform). */
export type CommandResult<D> = D extends CommandDefinition<infer _A, infer R> ? R : never;
