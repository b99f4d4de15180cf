import { serverBlockMs } from '../commands/blocking-timeout.js';
import type { RedisArgument } from '../resp/types.js';

/** What the liveness check needs to know about the oldest command awaiting a reply. @internal */
export interface AwaitedCommand {
  readonly name: string;
  readonly args: readonly RedisArgument[];
  /** The command's own timeout in ms (0 = none). */
  readonly timeoutMs: number;
}

/**
 * How much read silence the oldest in-flight command justifies, in ms (`Infinity`: never stalled).
 *
 * The rule (documented on `socket.livenessTimeout`):
 * - normally `livenessTimeout`;
 * - a command given a longer timeout of its own (a slow script, a maintenance-relaxed deadline)
 *   extends it to that timeout: the caller said it may take that long;
 * - a blocking command (BLPOP, BRPOP, BLMOVE, BZPOPMIN…, BLMPOP, XREAD/XREADGROUP BLOCK, WAIT,
 *   WAITAOF) extends it by the time the server may legitimately block it, and one that blocks
 *   forever (timeout 0) is never declared stalled while it is the oldest command in flight.
 * @internal
 */
export function allowedSilenceMs(livenessTimeoutMs: number, oldest: AwaitedCommand | undefined): number {
  if (oldest === undefined) return livenessTimeoutMs;
  let allowed = Math.max(livenessTimeoutMs, oldest.timeoutMs);
  const name = oldest.name;
  const first = name.charCodeAt(0);
  // Only B*, W*, X* commands can block: skip the lookup for everything else.
  if (first === 66 /* B */ || first === 87 /* W */ || first === 88 /* X */) {
    const block = serverBlockMs(name, oldest.args);
    if (block === Infinity) return Infinity;
    if (block !== undefined) allowed = Math.max(allowed, block + livenessTimeoutMs);
  }
  return allowed;
}

/**
 * Ms until the socket is to be declared dead (<= 0: now), or `Infinity` when no check is due.
 * `quietSince` is when the current silence started: the later of the last read and the moment
 * commands started waiting on an idle socket.
 * @internal
 */
export function msUntilStalled(now: number, quietSince: number, livenessTimeoutMs: number, inflight: number, oldest: AwaitedCommand | undefined): number {
  if (livenessTimeoutMs <= 0 || inflight === 0) return Infinity;
  const allowed = allowedSilenceMs(livenessTimeoutMs, oldest);
  if (allowed === Infinity) return Infinity;
  return quietSince + allowed - now;
}
