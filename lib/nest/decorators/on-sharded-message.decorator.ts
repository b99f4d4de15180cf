import type { PubSubHandlerOptions } from '../interfaces/pubsub-options.interface.js';
import { pubSubHandlerDecorator } from '../pubsub/pubsub-handler.metadata.js';

/**
 * Subscribes the method to sharded channels (SSUBSCRIBE, Redis ≥ 7) for the application's life:
 * from `onApplicationBootstrap` to `beforeApplicationShutdown`. The handler gets
 * `(message, channel)`; with `{ buffers: true }` the message is a Buffer. Several channels (or
 * several decorators) on one method are allowed; channels hashing to different slots are
 * subscribed with one SSUBSCRIBE per slot. The subscription follows slot moves and failovers
 * (see the `sharded-channel-moved` event). A handler that throws or rejects is logged (throttled)
 * and stays subscribed. Works on singleton providers and controllers only.
 *
 * @example
 * ```ts
 * @OnShardedMessage('orders:{eu}')
 * onOrder(message: string, channel: string): void { … }
 * ```
 */
export function OnShardedMessage(channel: string | readonly string[], options: PubSubHandlerOptions = {}): MethodDecorator {
  return pubSubHandlerDecorator('OnShardedMessage', 'sharded', 'channel', channel, options);
}
