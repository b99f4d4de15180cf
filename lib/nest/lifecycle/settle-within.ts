/** What {@link settleWithin} saw first: the promise's outcome, or the end of the wait. */
export type SettledWithin<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown } | 'timeout';

/**
 * Resolves with the outcome of `promise` (never rejects), or `'timeout'` after `ms` (negative: at
 * once); the timer is always cleared. For bounded waits in the Nest lifecycle (bootstrap, shutdown).
 * @internal
 */
export function settleWithin<T>(promise: Promise<T>, ms: number): Promise<SettledWithin<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, ms));
  });
  const outcome = promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return Promise.race([outcome, timeout]).finally(() => clearTimeout(timer));
}
