// Leak checks that look only at what the code under test created: every timer and socket handle
// initialised while code runs inside `tracker.run(...)` (and in every callback, promise reaction
// and event that descends from it) is recorded, and forgotten when Node destroys it. What is left
// after close() is a leak of that client, whatever unrelated timers the process has meanwhile.
import { AsyncLocalStorage, createHook, executionAsyncResource, type AsyncHook } from 'node:async_hooks';

/** Handle kinds that must not outlive close(): timers, sockets and listening servers. */
const KINDS = new Set(['Timeout', 'TCPWRAP', 'TLSWRAP', 'PIPEWRAP', 'TCPSERVERWRAP', 'PIPESERVERWRAP']);

export interface TrackedHandle {
  readonly type: string;
  /** Where it was created (first frames of the stack), to name the leak. */
  readonly createdAt: string;
}

/** The stack of the code creating a handle, without the frames of the hook and of Node's timer and hook internals. */
function creationStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 20;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return stack
    .split('\n')
    .slice(3)
    .filter((line) => !/\(node:internal\/(async_hooks|timers):/.test(line))
    .join('\n');
}

/**
 * Timers of Node itself that are not the tracked code's: the HTTP server caches the `Date`
 * header of its responses for the rest of the current second, for the whole process, with an
 * unref'd timer (node:internal/http utcDate) that the first response of a second starts and
 * that ends on its own within 1 s. A Nest app answering a request in the tracked scope starts
 * it, but it belongs to no app and no close() could (or should) stop it.
 */
const NODE_CACHE_TIMER = /\n\s+at utcDate \(node:internal\/http[:.]/;

/** The store of code a tracker runs outside its scope (exit()): not tracked, not adopted. */
const OUTSIDE = Symbol('outside the tracked scope');

export class HandleTracker {
  private readonly storage = new AsyncLocalStorage<HandleTracker | typeof OUTSIDE>();
  private readonly live = new Map<number, TrackedHandle>();
  /** Resources of tracked descent that carry no store (see init). */
  private readonly adopted = new WeakSet<object>();
  private readonly hook: AsyncHook;
  /** Every handle recorded since the tracker was created (live or not). */
  created = 0;
  /** The same, per kind (`TCPWRAP`: sockets opened, `Timeout`: timers started…). */
  readonly createdByKind: Record<string, number> = {};

  constructor(private readonly withStacks = true) {
    this.hook = createHook({
      init: (asyncId, type, triggerAsyncId, resource) => {
        const store = this.storage.getStore();
        if (store !== this) {
          // Outside run() (or inside exit()), unless the context descends from tracked code in a
          // way AsyncLocalStorage does not see: a socket that a tracked server accepts is created
          // before any JS callback runs (no store), and so is everything its events start.
          if (store !== undefined) return;
          if (!this.adopted.has(executionAsyncResource()) && !this.live.has(triggerAsyncId)) return;
          this.adopted.add(resource as object);
        }
        if (!KINDS.has(type)) return;
        const stack = this.withStacks || type === 'Timeout' ? creationStack() : '';
        if (type === 'Timeout' && NODE_CACHE_TIMER.test(stack)) return;
        this.created++;
        this.createdByKind[type] = (this.createdByKind[type] ?? 0) + 1;
        const parent = store === this ? undefined : this.live.get(triggerAsyncId);
        const createdAt = this.withStacks ? `${stack}${parent ? `\n    (triggered by a tracked ${parent.type}: e.g. a socket a tracked server accepted)` : ''}` : '';
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
   * Runs `fn` (and everything it starts) outside the tracked scope, from code that runs inside it:
   * for what a test itself holds on purpose past close() (and for the checks' own timers).
   */
  exit<T>(fn: () => T): T {
    return this.storage.run(OUTSIDE, fn);
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

  /**
   * Waits until no tracked handle is alive (checking every 20 ms, up to `timeoutMs`: a socket
   * ended by close() is destroyed a few event-loop turns later) and returns what is left then
   * (`{}` when nothing is). The waits themselves are not tracked.
   */
  async settled(timeoutMs = 2000): Promise<Record<string, number>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = await this.exit(() => this.leftovers());
      if (Object.keys(left).length === 0 || Date.now() >= deadline) return left;
      await this.exit(() => new Promise<void>((resolve) => setTimeout(resolve, 20)));
    }
  }

  /** The live handles with where they were created (for a failing test's message). */
  details(): TrackedHandle[] {
    return [...this.live.values()];
  }

  /** The live handles as text: one block per handle, its kind and creation stack. */
  describe(): string {
    // Frames as "from …", not "at …": Jest would take "at" lines of a message for its own stack.
    return this.details()
      .map((h) => `${h.type} created\n${h.createdAt.replace(/^\s*at /gm, '    from ')}`)
      .join('\n\n');
  }

  /** Stops tracking. */
  disable(): void {
    this.hook.disable();
    this.live.clear();
  }
}

/**
 * Fails (with the creation stack of each one) unless every handle `tracker` recorded is gone
 * within `timeoutMs`.
 */
export async function expectNoLeftovers(tracker: HandleTracker, timeoutMs = 2000): Promise<void> {
  const left = await tracker.settled(timeoutMs);
  if (Object.keys(left).length > 0) {
    throw new Error(`handles still alive ${timeoutMs} ms after close: ${JSON.stringify(left)}\n\n${tracker.describe()}`);
  }
}
