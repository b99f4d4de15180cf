import { performance } from 'node:perf_hooks';

/** What a running call knows about itself. @internal */
export interface Flight {
  /** `performance.now()` when the call started. */
  readonly startedAt: number;
  /** True once `forget` detached it (an evict) or a newer call replaced it (it got too old). */
  detached: boolean;
}

interface Running {
  readonly flight: Flight;
  readonly promise: Promise<unknown>;
}

/**
 * Runs at most one call per key at a time in this process: callers that arrive while a call for
 * their key is running share its outcome (value or error) instead of calling again - unless the
 * running call is older than `maxAgeMs`: then it is detached and the caller starts a new one (a
 * hung call never stalls later callers). Callers that already joined a call keep waiting for it.
 * @internal
 */
export class SingleFlight {
  private readonly flights = new Map<string, Running>();

  /** Runs `fn` for `key`, or joins the call already running (then `onShared` is called). */
  run<T>(key: string, fn: (flight: Flight) => Promise<T>, onShared?: () => void, maxAgeMs = Infinity): Promise<T> {
    const running = this.flights.get(key);
    if (running) {
      if (performance.now() - running.flight.startedAt <= maxAgeMs) {
        onShared?.();
        return running.promise as Promise<T>;
      }
      running.flight.detached = true;
    }
    const flight: Flight = { startedAt: performance.now(), detached: false };
    const entry: Running = {
      flight,
      promise: Promise.resolve()
        .then(() => fn(flight))
        .finally(() => {
          if (this.flights.get(key) === entry) this.flights.delete(key);
        }),
    };
    this.flights.set(key, entry);
    return entry.promise as Promise<T>;
  }

  /** Detaches the call of `key` (or of every key starting with `key` when `isPrefix`): later callers start a new one. */
  forget(key: string, isPrefix = false): void {
    if (!isPrefix) {
      const running = this.flights.get(key);
      if (running) running.flight.detached = true;
      this.flights.delete(key);
      return;
    }
    for (const [k, running] of this.flights) {
      if (k.startsWith(key)) {
        running.flight.detached = true;
        this.flights.delete(k);
      }
    }
  }

  /** Number of calls running. */
  get size(): number {
    return this.flights.size;
  }
}
