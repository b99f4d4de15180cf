import { RedisClusterError } from './base.error.js';

/** One seed's failure during discovery. */
export interface SeedFailure {
  /** `host:port` of the seed. */
  readonly address: string;
  /** Short classification of the cause. */
  readonly reason: 'refused' | 'timeout' | 'auth' | 'tls' | 'protocol' | 'not-cluster' | 'other';
  /** The underlying error. */
  readonly error: unknown;
}

/** No seed could deliver a usable topology. Lists every seed and why it failed. */
export class TopologyError extends RedisClusterError {
  readonly code = 'ERR_REDIS_TOPOLOGY';
  readonly failures: readonly SeedFailure[];

  constructor(message: string, failures: readonly SeedFailure[]) {
    const detail = failures
      .map((f) => `${f.address}: ${f.reason} (${f.error instanceof Error ? f.error.message : String(f.error)})`)
      .join('; ');
    super(detail ? `${message}: ${detail}` : message, {
      cause: new AggregateError(failures.map((f) => f.error), message),
    });
    this.failures = failures;
  }
}

/** One redirect followed while executing a command. */
export interface RedirectStep {
  readonly kind: 'MOVED' | 'ASK' | 'TRYAGAIN' | 'CLUSTERDOWN' | 'CONNECTION';
  /** The node that answered with the redirect, `host:port`. */
  readonly from: string;
  /** The node it pointed to, when it named one. */
  readonly to?: string;
  readonly slot?: number;
}

/** A command was redirected more than `maxCommandRedirections` times. */
export class RedirectionLimitError extends RedisClusterError {
  readonly code = 'ERR_REDIS_REDIRECTION_LIMIT';
  readonly history: readonly RedirectStep[];

  constructor(command: string, limit: number, history: readonly RedirectStep[], cause?: unknown) {
    super(`${command} was redirected more than ${limit} times (maxCommandRedirections)`, { cause });
    this.history = history;
  }
}

/** What one slot group of a split multi-key command did. `entries` index the call's keys (or pairs), never the keys themselves. */
export type SlotOutcome =
  | { readonly slot: number; readonly entries: readonly number[]; readonly status: 'fulfilled'; readonly value: unknown }
  | { readonly slot: number; readonly entries: readonly number[]; readonly status: 'rejected'; readonly reason: unknown };

/**
 * Some slot groups of a split multi-key command (MGET, MSET, DEL, EXISTS, UNLINK, TOUCH over
 * several slots) failed; the others ran, so their effect (deletions, writes) stands. `failures`
 * lists the failed slots with their error; `outcomes`, every slot group with its reply or error
 * and which entries of the call (0-based key or pair indexes) it carried.
 */
export class PartialFailureError extends RedisClusterError {
  readonly code = 'ERR_REDIS_PARTIAL_FAILURE';
  /** The slots whose part failed, with the error of each. */
  readonly failures: ReadonlyArray<{ readonly slot: number; readonly error: unknown }>;
  /** Every slot group, in the order sent, with its reply or error. */
  readonly outcomes: readonly SlotOutcome[];

  constructor(command: string, failures: ReadonlyArray<{ slot: number; error: unknown }>, outcomes: readonly SlotOutcome[] = []) {
    const total = outcomes.length > 0 ? ` of ${outcomes.length}` : '';
    super(`${command}: ${failures.length}${total} slot group(s) failed (slots ${failures.map((f) => f.slot).join(', ')})`);
    this.failures = failures;
    this.outcomes = outcomes;
  }
}
