/** Delay before the `round`-th retry (0-based) of unplaced sharded channels, in ms: 100 doubling up to 5000. @internal */
export function unplacedRetryDelay(round: number): number {
  return Math.min(100 * 2 ** Math.max(0, Math.min(round, 16)), 5000);
}
