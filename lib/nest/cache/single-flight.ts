/**
 * Runs at most one call per key at a time in this process: callers that arrive while a call for
 * their key is running share its outcome (value or error) instead of calling again.
 * @internal
 */
export class SingleFlight {
  private readonly flights = new Map<string, Promise<unknown>>();

  /** Runs `fn` for `key`, or joins the call already running (then `onShared` is called). */
  run<T>(key: string, fn: () => Promise<T>, onShared?: () => void): Promise<T> {
    const running = this.flights.get(key);
    if (running) {
      onShared?.();
      return running as Promise<T>;
    }
    const flight = Promise.resolve()
      .then(fn)
      .finally(() => {
        if (this.flights.get(key) === flight) this.flights.delete(key);
      });
    this.flights.set(key, flight);
    return flight;
  }

  /** Lets later callers of `key` (or of every key starting with `prefix` when `isPrefix`) start a new call. */
  forget(key: string, isPrefix = false): void {
    if (!isPrefix) {
      this.flights.delete(key);
      return;
    }
    for (const k of this.flights.keys()) if (k.startsWith(key)) this.flights.delete(k);
  }

  /** Number of calls running. */
  get size(): number {
    return this.flights.size;
  }
}
