import type { ReplyError } from '../errors/reply.error.js';

/** An argument of a command as the caller gives it. Numbers are sent as their decimal text. */
export type RedisArgument = string | Buffer | number;

/**
 * A decoded reply.
 * - simple/bulk/verbatim strings: `string` (or `Buffer` when the command asked for buffers);
 *   verbatim strings lose their 3-letter format prefix;
 * - integers and doubles: `number` (`inf`/`-inf`/`nan` map to Infinity/-Infinity/NaN);
 * - big numbers: `bigint`; booleans: `boolean`; nulls (RESP2 `$-1`/`*-1`, RESP3 `_`): `null`;
 * - arrays and sets: arrays;
 * - maps: plain objects with a null prototype (keys stringified);
 * - attributes are dropped (the reply that follows them is delivered);
 * - error replies inside aggregates (e.g. in EXEC results) are ReplyError instances.
 */
export type RespValue =
  | string
  | Buffer
  | number
  | bigint
  | boolean
  | null
  | ReplyError
  | RespValue[]
  | RespMap;

/** A RESP3 map decoded as a plain object with a null prototype. */
export interface RespMap {
  [key: string]: RespValue;
}

/** What the decoder reports, one call per complete top-level frame, in wire order. */
export interface DecoderSink {
  /** A complete non-error, non-push reply. */
  onReply(value: RespValue): void;
  /** A top-level error reply (`-` or `!`), already classified (MOVED, ASK, …). */
  onErrorReply(error: ReplyError): void;
  /** A RESP3 push frame (`>`): its elements (the first is the kind, e.g. `invalidate`, `message`). */
  onPush(frame: RespValue[]): void;
  /**
   * Asked once per top-level frame, as soon as its type byte is known: should bulk/simple strings
   * of this frame be returned as Buffers? `isPush` is true for `>` frames (the pub/sub layer
   * answers for those); otherwise the in-flight queue answers for the command at its head.
   */
  wantBuffers(isPush: boolean): boolean;
}
