// Leak checks that look only at what the code under test created: every timer and socket handle
// initialised while code runs inside `tracker.run(...)` (and in every callback, promise reaction
// and event that descends from it) is recorded, and forgotten when Node destroys it. What is left
// after close() is a leak of that client, whatever unrelated timers the process has meanwhile.
import { AsyncLocalStorage, createHook, type AsyncHook } from 'node:async_hooks';

/** Handle kinds that must not outlive close(): timers and sockets. */
const KINDS = new Set(['Timeout', 'TCPWRAP', 'TLSWRAP', 'PIPEWRAP']);

export interface TrackedHandle {
  readonly type: string;
  /** Where it was created (first frames of the stack), to name the leak. */
  readonly createdAt: string;
}

export class HandleTracker {
  private readonly storage = new AsyncLocalStorage<HandleTracker>();
  private readonly live = new Map<number, TrackedHandle>();
  private readonly hook: AsyncHook;
  /** Every handle recorded since the tracker was created (live or not). */
  created = 0;

  constructor(private readonly withStacks = true) {
    this.hook = createHook({
      init: (asyncId, type) => {
        if (!KINDS.has(type) || this.storage.getStore() !== this) return;
        this.created++;
        const createdAt = this.withStacks ? (new Error().stack ?? '').split('\n').slice(3, 9).join('\n') : '';
        this.live.set(asyncId, { type, createdAt });
      },
      destroy: (asyncId) => {
        this.live.delete(asyncId);
      },
    });
    this.hook.enable();
  }

  /** Runs `fn` (and everything it starts) as code whose handles are tracked. */
  run<T>(fn: () => T): T {
    return this.storage.run(this, fn);
  }

  /**
   * Handles still alive, after letting Node deliver pending destroy hooks (they are batched on
   * the next turns of the event loop). Counts per kind.
   */
  async leftovers(): Promise<Record<string, number>> {
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    const counts: Record<string, number> = {};
    for (const handle of this.live.values()) counts[handle.type] = (counts[handle.type] ?? 0) + 1;
    return counts;
  }

  /** The live handles with where they were created (for a failing test's message). */
  details(): TrackedHandle[] {
    return [...this.live.values()];
  }

  /** Stops tracking. */
  disable(): void {
    this.hook.disable();
    this.live.clear();
  }
}
