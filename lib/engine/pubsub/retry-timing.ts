/** Delay before the `round`-th retry (0-based) of unplaced sharded channels, in ms: 100 doubling up to 5000. @internal */
export function unplacedRetryDelay(round: number): number {
  return Math.min(100 * 2 ** Math.max(0, Math.min(round, 16)), 5000);
}

/**
 * Sleeps that `cancelAll()` ends at once (they resolve early), so that no back-off timer of a
 * subscriber outlives `close()`. @internal
 */
export class Sleeper {
  private readonly sleeping = new Map<NodeJS.Timeout, () => void>();

  /** Resolves after `ms` milliseconds, or at once when cancelled. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.sleeping.delete(timer);
        resolve();
      }, ms);
      this.sleeping.set(timer, resolve);
    });
  }

  /** Clears every pending sleep and resolves it. */
  cancelAll(): void {
    for (const [timer, resolve] of this.sleeping) {
      clearTimeout(timer);
      resolve();
    }
    this.sleeping.clear();
  }

  /** Sleeps in progress. */
  get size(): number {
    return this.sleeping.size;
  }
}
