import type { RespValue } from '../resp/types.js';
import { textOf } from '../connection/node-connection.js';

/** A message listener: `message` is a string, or a Buffer when subscribed in buffer mode. */
export type PubSubListener<T extends string | Buffer = string> = (message: T, channel: string, pattern?: string) => void;

/** A listener of either delivery mode. @internal */
export type AnyPubSubListener = PubSubListener<string> | PubSubListener<Buffer>;

/** @internal A listener with its delivery mode. */
interface Entry {
  readonly listener: AnyPubSubListener;
  readonly buffers: boolean;
}

/**
 * Listeners per channel (or pattern). A listener is registered at most once per name (adding it
 * again is a no-op, whatever the delivery mode asked the second time), so it never gets a message
 * twice. A throwing listener is reported through `onError` and does not stop delivery to the others.
 * @internal
 */
export class ListenerRegistry {
  private readonly byName = new Map<string, Entry[]>();

  constructor(private readonly onError: (error: unknown, channel: string) => void) {}

  get names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** True when `listener` is registered on `name`. */
  hasListener(name: string, listener: AnyPubSubListener): boolean {
    return this.byName.get(name)?.some((e) => e.listener === listener) ?? false;
  }

  /** Adds a listener; returns false (and changes nothing) when it is already registered on `name`. */
  add(name: string, listener: AnyPubSubListener, buffers: boolean): boolean {
    const list = this.byName.get(name);
    if (list === undefined) {
      this.byName.set(name, [{ listener, buffers }]);
      return true;
    }
    if (list.some((e) => e.listener === listener)) return false;
    list.push({ listener, buffers });
    return true;
  }

  /** Removes one listener (or all for `name`); returns true when `name` has no listener left. */
  remove(name: string, listener?: AnyPubSubListener): boolean {
    const list = this.byName.get(name);
    if (!list) return false;
    const kept = listener ? list.filter((e) => e.listener !== listener) : [];
    if (kept.length > 0) {
      this.byName.set(name, kept);
      return false;
    }
    this.byName.delete(name);
    return true;
  }

  /**
   * Delivers one message (payload decoded as a Buffer) to every listener of `name`; returns false
   * when `name` has no listener (e.g. a message that crossed an unsubscribe).
   */
  deliver(name: string, channel: string, payload: RespValue, pattern?: string): boolean {
    const list = this.byName.get(name);
    if (!list) return false;
    const asBuffer = Buffer.isBuffer(payload) ? payload : Buffer.from(textOf(payload));
    let asString: string | undefined;
    for (const { listener, buffers } of list) {
      try {
        if (buffers) (listener as PubSubListener<Buffer>)(asBuffer, channel, pattern);
        else (listener as PubSubListener<string>)((asString ??= asBuffer.toString()), channel, pattern);
      } catch (error) {
        this.onError(error, channel);
      }
    }
    return true;
  }
}

/** Normalises `string | string[]` to a de-duplicated array. @internal */
export function toNames(names: string | readonly string[]): string[] {
  return [...new Set(typeof names === 'string' ? [names] : names)];
}
