/** A DecoderSink for the RespDecoder tests: records every reply, error reply and push, in order. */
import type { DecoderSink, RespValue } from '../../../../lib/engine/resp/types.js';
import type { ReplyError } from '../../../../lib/engine/errors/reply.error.js';

export type CollectedEvent = { kind: 'reply'; value: RespValue } | { kind: 'error'; value: ReplyError } | { kind: 'push'; value: RespValue[] };

/**
 * Records what the decoder delivers. Buffer mode is answered by `mode`: a constant, or a function of
 * (isPush, index of the call); every question asked is kept in `wantCalls`.
 */
export class Collector implements DecoderSink {
  readonly events: CollectedEvent[] = [];
  readonly wantCalls: boolean[] = [];
  constructor(private readonly mode: boolean | ((isPush: boolean, call: number) => boolean) = false) {}
  onReply(value: RespValue): void {
    this.events.push({ kind: 'reply', value });
  }
  onErrorReply(error: ReplyError): void {
    this.events.push({ kind: 'error', value: error });
  }
  onPush(frame: RespValue[]): void {
    this.events.push({ kind: 'push', value: frame });
  }
  wantBuffers(isPush: boolean): boolean {
    const call = this.wantCalls.length;
    this.wantCalls.push(isPush);
    return typeof this.mode === 'function' ? this.mode(isPush, call) : this.mode;
  }
}
