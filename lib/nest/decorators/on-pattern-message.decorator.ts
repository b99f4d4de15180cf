import type { PubSubHandlerOptions } from '../interfaces/pubsub-options.interface.js';
import { pubSubHandlerDecorator } from '../pubsub/pubsub-handler.metadata.js';

/**
 * Subscribes the method to glob patterns (PSUBSCRIBE) for the application's life: from
 * `onApplicationBootstrap` to `beforeApplicationShutdown`. The handler gets
 * `(message, channel, pattern)`; with `{ buffers: true }` the message is a Buffer. Stackable. A
 * handler that throws or rejects is logged (throttled) and stays subscribed. Works on singleton
 * providers and controllers only.
 *
 * @example
 * ```ts
 * @OnPatternMessage('prices:*')
 * onPrice(message: string, channel: string, pattern: string): void { … }
 * ```
 */
export function OnPatternMessage(pattern: string | readonly string[], options: PubSubHandlerOptions = {}): MethodDecorator {
  return pubSubHandlerDecorator('OnPatternMessage', 'pattern', 'pattern', pattern, options);
}
