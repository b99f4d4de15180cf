import { EventEmitter } from 'node:events';

/** A map from event name to the listener's argument tuple. */
export type EventMap = { [event: string]: unknown[] };

/**
 * EventEmitter with typed event names and arguments. An `error` event with no listener is
 * swallowed instead of crashing the process (a client must not kill the app on a node error);
 * subclasses decide whether to log such errors.
 */
export class TypedEmitter<E extends EventMap> {
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  removeAllListeners<K extends keyof E & string>(event?: K): this {
    if (event === undefined) this.emitter.removeAllListeners();
    else this.emitter.removeAllListeners(event);
    return this;
  }

  listenerCount<K extends keyof E & string>(event: K): number {
    return this.emitter.listenerCount(event);
  }

  /** @internal */
  protected emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    if (event === 'error' && this.emitter.listenerCount('error') === 0) return false;
    try {
      return this.emitter.emit(event, ...args);
    } catch (error) {
      // A listener that throws must not unwind into the client's internals (a socket's data
      // handler would take it for a protocol error): it surfaces as an uncaught exception instead,
      // exactly where a throwing listener of any other emitter would.
      process.nextTick(() => {
        throw error;
      });
      return true;
    }
  }
}
