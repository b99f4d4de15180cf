/**
 * Timers that can all be cancelled at once (on close), so that no back-off or retry timer outlives
 * the client: each is scheduled with what to run when it fires and what to run instead when it is
 * cancelled. A timer that fired is forgotten; cancelling clears every pending one and runs its
 * `cancelled` callback, once.
 * @internal
 */
export class CancellableTimers {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();

  /** Runs `fire` after `delayMs` ms, unless {@link cancelAll} runs `cancelled` first. */
  schedule(delayMs: number, fire: () => void, cancelled: () => void): void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      fire();
    }, delayMs);
    this.pending.set(timer, cancelled);
  }

  /** Resolves after `delayMs` ms, or at once when cancelled. */
  sleep(delayMs: number): Promise<void> {
    return new Promise<void>((resolve) => this.schedule(delayMs, resolve, resolve));
  }

  /**
   * Clears every pending timer and runs its `cancelled` callback. Every callback runs even if one
   * throws (nothing is left hanging); the first error is rethrown afterwards.
   */
  cancelAll(): void {
    const cancelled = [...this.pending.values()];
    for (const timer of this.pending.keys()) clearTimeout(timer);
    this.pending.clear();
    let failure: { error: unknown } | undefined;
    for (const callback of cancelled) {
      try {
        callback();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  /** Timers pending. */
  get size(): number {
    return this.pending.size;
  }
}
