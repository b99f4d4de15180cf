/** What the throttle hands to the logger. */
export interface ThrottledLine {
  /** The key errors are grouped by (e.g. a node address). */
  readonly key: string;
  /** The error message to log. */
  readonly message: string;
  /** How many errors of this key were not logged since the last line (a summary when > 0). */
  readonly suppressed: number;
  /** Length of the window the suppressed errors were counted in, in ms. */
  readonly windowMs: number;
}

interface KeyState {
  suppressed: number;
  last: string;
  since: number;
}

/**
 * Collapses repeated errors per key: the first error of a key is passed on at once; the next
 * ones are counted, and once per interval one summary line (count and last message) is passed
 * on. A key that stayed quiet for a whole interval starts over. One unref'd timer at most;
 * `dispose()` flushes and clears it.
 * @internal
 */
export class ErrorLogThrottle {
  private readonly keys = new Map<string, KeyState>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (line: ThrottledLine) => void,
  ) {}

  report(key: string, message: string): void {
    const state = this.keys.get(key);
    if (state) {
      state.suppressed++;
      state.last = message;
      return;
    }
    this.keys.set(key, { suppressed: 0, last: message, since: Date.now() });
    this.emit({ key, message, suppressed: 0, windowMs: 0 });
    this.timer ??= setInterval(() => this.tick(), this.intervalMs).unref();
  }

  /** Emits the pending summaries and stops the timer. */
  dispose(): void {
    this.tick(true);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(final = false): void {
    const now = Date.now();
    for (const [key, state] of this.keys) {
      if (state.suppressed > 0) {
        this.emit({ key, message: state.last, suppressed: state.suppressed, windowMs: now - state.since });
        state.suppressed = 0;
        state.since = now;
      } else {
        this.keys.delete(key);
      }
      if (final) this.keys.delete(key);
    }
    if (this.keys.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
