import { settleWithin } from './settle-within.js';
import type { RedisCluster } from '../../engine/cluster/cluster-client.js';
import { ConfigError } from '../../engine/errors/base.error.js';
import { TopologyError, type SeedFailure } from '../../engine/errors/cluster.error.js';
import { bootstrapRetryMessage, bootstrapTimeoutMessage } from '../redis-cluster.messages.js';

/** Seed failures that retrying cannot fix (wrong password, TLS mismatch, not a cluster). */
const PERMANENT_REASONS: ReadonlySet<SeedFailure['reason']> = new Set(['auth', 'tls', 'not-cluster', 'protocol']);

/** The last attempt gets at least this long before the deadline. */
const MIN_ATTEMPT_MS = 100;

/** @internal */
export interface ConnectPlan {
  /** Cluster name, for messages. */
  name: string;
  /** Milliseconds before giving up. */
  timeoutMs: number;
  /** `host:port` of every seed, for a timeout with no answer at all. */
  seeds: readonly string[];
  /** Told about each retry. */
  onRetry?: (message: string) => void;
  /**
   * Called with the attempt still running when the deadline passed; the caller lets it settle
   * before it destroys the client.
   */
  onAbandoned?: (attempt: Promise<void>) => void;
}

/** @internal */
export function isPermanentFailure(error: unknown): boolean {
  if (error instanceof ConfigError) return true;
  if (!(error instanceof TopologyError)) return false;
  return error.failures.length > 0 && error.failures.every((failure) => failure && PERMANENT_REASONS.has(failure.reason));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function giveUp(plan: ConnectPlan, last: unknown): TopologyError {
  const message = `${bootstrapTimeoutMessage(plan.name, plan.timeoutMs)}; no root node could provide a usable topology`;
  if (last instanceof TopologyError) {
    if (last.failures.length > 0) return new TopologyError(message, last.failures);
    return new TopologyError(`${bootstrapTimeoutMessage(plan.name, plan.timeoutMs)}: ${last.message}`, []);
  }
  const failures: SeedFailure[] = plan.seeds.map((address) => ({
    address,
    reason: 'timeout',
    error: last ?? new Error(`no answer within bootstrapTimeout (${plan.timeoutMs} ms)`),
  }));
  return new TopologyError(message, failures);
}

/**
 * Calls `cluster.connect()` until it succeeds, retrying transient failures (refused, timeout,
 * slots not yet covered) with capped exponential backoff, within `plan.timeoutMs`. Rejects at
 * once on permanent failures (auth, TLS, not a cluster), and with a TopologyError naming every
 * seed's cause when the deadline passes.
 * @internal
 */
export async function connectWithinDeadline(cluster: RedisCluster, plan: ConnectPlan): Promise<void> {
  const deadline = Date.now() + plan.timeoutMs;
  let last: unknown;
  for (let attempt = 1; ; attempt++) {
    const connecting = cluster.connect();
    const outcome = await settleWithin(connecting, deadline - Date.now());
    if (outcome === 'timeout') {
      connecting.catch(() => undefined);
      plan.onAbandoned?.(connecting);
      throw giveUp(plan, last);
    }
    if (outcome.ok) return;
    last = outcome.error;
    if (isPermanentFailure(last)) throw last;
    const remaining = deadline - Date.now();
    if (remaining < MIN_ATTEMPT_MS) throw giveUp(plan, last);
    const delay = Math.min(100 * 2 ** (attempt - 1), 2000, remaining - MIN_ATTEMPT_MS);
    const reason = last instanceof Error ? last.message : String(last);
    plan.onRetry?.(bootstrapRetryMessage(plan.name, attempt, delay, reason));
    await sleep(delay);
  }
}
