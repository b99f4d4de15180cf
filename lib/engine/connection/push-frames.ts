import type { RespValue } from '../resp/types.js';

const PUBSUB_KINDS = new Set(['message', 'pmessage', 'smessage', 'subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe']);

/** The lower-case kind of a push frame (`message`, `invalidate`, `subscribe`…). */
export function kindOf(frame: RespValue[]): string {
  const first = frame[0];
  return typeof first === 'string' ? first.toLowerCase() : Buffer.isBuffer(first) ? first.toString().toLowerCase() : '';
}

/** A frame element as text (channel names arrive as Buffers on subscriber connections). */
export function textOf(value: RespValue | undefined): string {
  return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString() : String(value);
}

/** True for the frames of the pub/sub family (RESP2 subscriber connections get them as plain arrays). @internal */
export function isPubSubFrame(frame: RespValue[]): boolean {
  return PUBSUB_KINDS.has(kindOf(frame));
}
