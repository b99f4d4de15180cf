import { ListenerRegistry, type AnyPubSubListener } from './listeners.js';

/** One SUBSCRIBE (SSUBSCRIBE, PSUBSCRIBE) in flight, and the listeners added while waiting on it. */
interface PendingSubscribe {
  readonly names: readonly string[];
  /** Settles with the command; listeners in `added` are already removed when it rejects. */
  readonly outcome: Promise<void>;
  /** Listeners added to its names by the calls that started or joined it (undone if it fails). */
  readonly added: Array<readonly [name: string, listener: AnyPubSubListener]>;
}

/** How a subscriber sends and undoes subscriptions for a {@link SubscriptionSet}. @internal */
export interface SubscribeActions {
  /**
   * Subscribes `fresh` on the server (names neither subscribed nor being subscribed). Called on a
   * later tick; names unsubscribed meanwhile are no longer in the registry and may be skipped.
   */
  send(fresh: string[]): Promise<void>;
  /**
   * Names that a failed call left without any listener (the server may still have them, e.g. a
   * channel subscribed before whose only other listener was removed meanwhile): unsubscribe them
   * best-effort and forget their state. Never throws.
   */
  release(names: string[]): void;
}

/**
 * The subscribe state machine of one kind of subscription (channels, patterns or shard channels):
 *
 * - concurrent subscribes of one name share one pending command and its outcome: a second call
 *   for a name whose SUBSCRIBE is in flight waits for it, and rejects with it;
 * - a failed call undoes only what it added: its own listener, on the names it added it to
 *   (never listeners of names subscribed before, never other callers' listeners);
 * - a listener added twice to one name is registered once.
 *
 * The listeners of a name being subscribed are registered at once (a message that arrives right
 * after the server's confirmation is delivered). Pure state: the subscriber does the I/O. @internal
 */
export class SubscriptionSet {
  readonly listeners: ListenerRegistry;
  private readonly pending = new Map<string, PendingSubscribe>();

  constructor(onListenerError: (error: unknown, channel: string) => void) {
    this.listeners = new ListenerRegistry(onListenerError);
  }

  get names(): string[] {
    return this.listeners.names;
  }

  /** True while a subscribe command of `name` is in flight. */
  isPending(name: string): boolean {
    return this.pending.has(name);
  }

  /**
   * Adds `listener` to `names` and resolves when every name is subscribed on the server; rejects
   * (having undone this call's additions) when a subscribe it started or joined failed. Never
   * throws synchronously.
   */
  add(names: readonly string[], listener: AnyPubSubListener, buffers: boolean, actions: SubscribeActions): Promise<void> {
    const addedHere: string[] = [];
    const waits = new Set<PendingSubscribe>();
    const fresh: string[] = [];
    for (const name of names) {
      const known = this.listeners.has(name);
      const added = this.listeners.add(name, listener, buffers);
      if (added) addedHere.push(name);
      const pending = this.pending.get(name);
      if (pending !== undefined) {
        waits.add(pending);
        if (added) pending.added.push([name, listener]);
      } else if (!known) {
        fresh.push(name);
      }
    }
    if (fresh.length > 0) waits.add(this.start(fresh, addedHere.filter((name) => fresh.includes(name)).map((name) => [name, listener] as const), actions));
    if (waits.size === 0) return Promise.resolve();
    return Promise.all([...waits].map((wait) => wait.outcome)).then(
      () => undefined,
      (error: unknown) => {
        // Undo this call's additions on the other names too (a no-op where the failed command undid them).
        const emptied = addedHere.filter((name) => this.listeners.hasListener(name, listener) && this.listeners.remove(name, listener) && !this.pending.has(name));
        if (emptied.length > 0) actions.release(emptied);
        throw error;
      },
    );
  }

  private start(fresh: string[], added: Array<readonly [string, AnyPubSubListener]>, actions: SubscribeActions): PendingSubscribe {
    let settle!: { resolve: () => void; reject: (error: unknown) => void };
    const outcome = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const pending: PendingSubscribe = { names: fresh, outcome, added };
    for (const name of fresh) this.pending.set(name, pending);
    const finish = (): void => {
      for (const name of fresh) if (this.pending.get(name) === pending) this.pending.delete(name);
    };
    void Promise.resolve()
      .then(() => actions.send(fresh))
      .then(
        () => {
          finish();
          // Unsubscribed by every caller while the command was in flight: the server has them now.
          const orphaned = fresh.filter((name) => !this.listeners.has(name) && !this.pending.has(name));
          if (orphaned.length > 0) actions.release(orphaned);
          settle.resolve();
        },
        (error: unknown) => {
          finish();
          // Synchronously with the failure, before any caller resumes: a subscribe issued right
          // after must not find these names registered and resolve at once.
          const emptied = pending.added.filter(([name, listener]) => this.listeners.hasListener(name, listener) && this.listeners.remove(name, listener)).map(([name]) => name);
          if (emptied.length > 0) actions.release([...new Set(emptied)]);
          settle.reject(error);
        },
      );
    return pending;
  }
}
