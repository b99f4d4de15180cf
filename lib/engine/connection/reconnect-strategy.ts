/**
 * What the reconnect strategy may return: `false` stops reconnecting, a number is the delay in
 * milliseconds before the next attempt, an Error stops reconnecting and becomes the cause.
 */
export type ReconnectDecision = false | number | Error;

/**
 * `false` never reconnects; a number is a fixed delay in ms; a function is called with the
 * number of attempts so far (0 for the first retry) and the error that caused it.
 */
export type ReconnectStrategy = false | number | ((retries: number, cause: Error) => ReconnectDecision);

/**
 * The default: exponential backoff 50 ms · 2^retries capped at 2000 ms, plus 0–199 ms of jitter
 * (node-redis's defaultReconnectStrategy).
 */
export function defaultReconnectStrategy(retries: number): number {
  const jitter = Math.floor(Math.random() * 200);
  return Math.min(2 ** retries * 50, 2000) + jitter;
}

/**
 * Evaluates a strategy once. An invalid return value or a throw from a user function falls back
 * to the default backoff and is reported through `onInvalid` (node-redis does the same).
 * @internal
 */
export function decideReconnect(
  strategy: ReconnectStrategy | undefined,
  retries: number,
  cause: Error,
  onInvalid: (error: Error) => void,
): ReconnectDecision {
  if (strategy === undefined) return defaultReconnectStrategy(retries);
  if (strategy === false) return false;
  if (typeof strategy === 'number') return strategy;
  try {
    const decision = strategy(retries, cause);
    if (decision === false || decision instanceof Error) return decision;
    if (typeof decision === 'number' && Number.isFinite(decision) && decision >= 0) return decision;
    onInvalid(new TypeError('reconnectStrategy returned neither false, a non-negative number nor an Error'));
  } catch (error) {
    onInvalid(error instanceof Error ? error : new Error(String(error)));
  }
  return defaultReconnectStrategy(retries);
}
