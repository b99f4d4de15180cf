import type { PubSubHandlerOptions } from '../interfaces/pubsub-options.interface.js';
import { pubSubHandlerDecorator } from '../pubsub/pubsub-handler.metadata.js';

/**
 * Subscribes the method to classic channels (SUBSCRIBE; a PUBLISH reaches every node of the
 * cluster) for the application's life: from `onApplicationBootstrap` to
 * `beforeApplicationShutdown`. The handler gets `(message, channel)`; with `{ buffers: true }`
 * the message is a Buffer. Stackable. A handler that throws or rejects is logged (throttled) and
 * stays subscribed. Works on singleton providers and controllers only.
 *
 * @example
 * ```ts
 * @OnMessage('announcements')
 * onAnnouncement(message: string): void { … }
 * ```
 */
export function OnMessage(channel: string | readonly string[], options: PubSubHandlerOptions = {}): MethodDecorator {
  return pubSubHandlerDecorator('OnMessage', 'channel', 'channel', channel, options);
}
