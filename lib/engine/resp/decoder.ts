import { constants as bufferConstants, isAscii } from 'node:buffer';
import { ProtocolError } from '../errors/base.error.js';
import { ReplyError, replyErrorFromMessage } from '../errors/reply.error.js';
import type { DecoderSink, RespMap, RespValue } from './types.js';

// Bytes.
const CR = 13;
const LF = 10;
const QUESTION = 63;
const COLON = 58;

// Type bytes.
const T_SIMPLE = 43; // +
const T_ERROR = 45; // -
const T_INTEGER = 58; // :
const T_BULK = 36; // $
const T_ARRAY = 42; // *
const T_NULL = 95; // _
const T_BOOLEAN = 35; // #
const T_DOUBLE = 44; // ,
const T_BIG_NUMBER = 40; // (
const T_BULK_ERROR = 33; // !
const T_VERBATIM = 61; // =
const T_MAP = 37; // %
const T_SET = 126; // ~
const T_ATTRIBUTE = 124; // |
const T_PUSH = 62; // >
const T_STREAM_CHUNK = 59; // ;
const T_STREAM_END = 46; // .

// Decoder states.
const S_LINE = 0; // expecting a type byte and its line
const S_BULK = 1; // inside the payload (or its trailing CRLF) of a bulk/verbatim/bulk-error string

// Kinds of open aggregates.
const K_ARRAY = 0; // `*` and `~`
const K_MAP = 1; // `%`
const K_PUSH = 2; // `>`
const K_ATTRIBUTE = 3; // `|`

/** Largest bulk payload a Buffer can hold: the upper bound of `maxBulkLength`. */
const MAX_BUFFER_LENGTH = bufferConstants.MAX_LENGTH;
/** Default `maxBulkLength`: Redis's own limit on a string value (`proto-max-bulk-len`), 512 MiB. */
export const DEFAULT_MAX_BULK_LENGTH = 512 * 1024 * 1024;
/**
 * A bulk string that spans chunks gets a buffer of at most this many bytes (or what the current
 * chunk holds, if more) up front; it grows as bytes arrive. A 17-byte header announcing 4 GiB
 * therefore allocates 64 KiB, not 4 GiB.
 */
const BULK_INITIAL_CAPACITY = 64 * 1024;
/** Largest element count accepted for an aggregate (a JS array cannot be longer). */
const MAX_AGGREGATE_LENGTH = 2 ** 32 - 1;
/** Aggregates up to this length get a preallocated array; longer ones grow as elements arrive. */
const PREALLOCATE_LIMIT = 65_536;
/** More digits than a 64-bit integer can have: the line is malformed. */
const MAX_INTEGER_DIGITS = 20;
/** A partial line up to this long is re-validated as each chunk arrives (longer ones are only accumulated). */
const SHORT_LINE = 64;
/** From this many bytes on, a string payload is checked for ASCII-only content (decoded faster). */
const LONG_STRING = 1024;
/** Below this many bytes a buffer copy is done with a plain loop (cheaper than `Buffer#copy`). */
const SMALL_COPY = 64;

const DOUBLE_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const BIG_NUMBER_RE = /^[+-]?\d+$/;

const EMPTY_ITEMS: RespValue[] = [];

/** `Buffer#utf8Slice`/`latin1Slice` exist in every Node.js release; they skip `toString`'s argument dispatch. */
interface FastSlices {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}
const HAS_FAST_SLICES =
  typeof (Buffer.prototype as Partial<FastSlices>).utf8Slice === 'function' &&
  typeof (Buffer.prototype as Partial<FastSlices>).latin1Slice === 'function';

/**
 * Decode `buf[start, end)` as UTF-8. Strings of up to 8 ASCII bytes (`OK`, `QUEUED`, small
 * counters) are built in JS: a call into C++ costs several times more than the work for them
 * (measured: 25-85 ns against 100-160 ns for `utf8Slice`).
 */
function utf8(buf: Buffer, start: number, end: number): string {
  switch (end - start) {
    case 0:
      return '';
    case 1: {
      const c0 = buf[start]!;
      if (c0 < 128) return String.fromCharCode(c0);
      break;
    }
    case 2: {
      const c0 = buf[start]!;
      const c1 = buf[start + 1]!;
      if ((c0 | c1) < 128) return String.fromCharCode(c0, c1);
      break;
    }
    case 3: {
      const c0 = buf[start]!;
      const c1 = buf[start + 1]!;
      const c2 = buf[start + 2]!;
      if ((c0 | c1 | c2) < 128) return String.fromCharCode(c0, c1, c2);
      break;
    }
    case 4: {
      const c0 = buf[start]!;
      const c1 = buf[start + 1]!;
      const c2 = buf[start + 2]!;
      const c3 = buf[start + 3]!;
      if ((c0 | c1 | c2 | c3) < 128) return String.fromCharCode(c0, c1, c2, c3);
      break;
    }
    default:
      if (end - start <= 8) {
        // Short strings stay flat (< 13 chars), so this bounded loop is cheaper than the C++ call.
        let out = '';
        for (let i = start; i < end; i++) {
          const c = buf[i]!;
          if (c >= 128) return slowUtf8(buf, start, end);
          out += String.fromCharCode(c);
        }
        return out;
      }
      break;
  }
  return slowUtf8(buf, start, end);
}

function slowUtf8(buf: Buffer, start: number, end: number): string {
  // Long ASCII payloads: checking (SIMD) then widening as latin1 is about twice as fast as UTF-8 decoding.
  if (end - start >= LONG_STRING && isAscii(start === 0 && end === buf.length ? buf : buf.subarray(start, end))) {
    return latin1(buf, start, end);
  }
  return HAS_FAST_SLICES ? (buf as Buffer & FastSlices).utf8Slice(start, end) : buf.toString('utf8', start, end);
}

function latin1(buf: Buffer, start: number, end: number): string {
  return HAS_FAST_SLICES ? (buf as Buffer & FastSlices).latin1Slice(start, end) : buf.toString('latin1', start, end);
}

/** A fresh Buffer holding a copy of `buf[start, end)` (never a view on the input chunk). */
function copyOf(buf: Buffer, start: number, end: number): Buffer {
  const len = end - start;
  const out = Buffer.allocUnsafe(len);
  if (len < SMALL_COPY) {
    for (let i = 0; i < len; i++) out[i] = buf[start + i]!;
  } else {
    buf.copy(out, 0, start, end);
  }
  return out;
}

function parseDouble(text: string): number | undefined {
  if (DOUBLE_RE.test(text)) return Number(text);
  switch (text) {
    case 'inf':
    case '+inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    case 'nan':
    case '-nan':
      return NaN;
    default:
      return undefined;
  }
}

/**
 * The string a map key becomes. A Buffer key (the frame is decoded with Buffers) becomes its latin1
 * text: one character per byte, so distinct binary keys stay distinct and the bytes are recovered
 * exactly with `Buffer.from(key, 'latin1')`. (UTF-8 would turn every invalid sequence into U+FFFD
 * and make different keys collide.) In string mode keys are UTF-8 text like every other string.
 */
function mapKey(key: RespValue): string {
  if (typeof key === 'string') return key;
  if (key === null || typeof key !== 'object') return String(key);
  if (Buffer.isBuffer(key)) return latin1(key, 0, key.length);
  if (key instanceof ReplyError) return key.message;
  // Aggregate keys: RESP3 allows them, Redis never sends them. Best effort.
  try {
    return String(key);
  } catch {
    return Object.prototype.toString.call(key);
  }
}

function toMap(items: RespValue[]): RespMap {
  const map = Object.create(null) as RespMap;
  for (let i = 0; i < items.length; i += 2) map[mapKey(items[i]!)] = items[i + 1]!;
  return map;
}

/**
 * Streaming RESP2/RESP3 decoder: a state machine with no I/O, fed with {@link RespDecoder.write} and
 * reporting each complete top-level frame to a {@link DecoderSink}, in wire order.
 *
 * - Input may be split at any byte boundary. Bulk strings are decoded only once complete (a UTF-8
 *   character split across chunks is never mangled). A bulk that spans chunks is assembled in a
 *   buffer that starts at 64 KiB (or the bytes at hand) and grows 4x as bytes arrive, up to the
 *   announced length: linear time, and a header alone never allocates its announced length.
 * - A bulk string longer than `maxBulkLength` (default 512 MiB, Redis's own limit) is a
 *   ProtocolError as soon as its header is read.
 * - A push frame (`>`) inside an aggregate (servers have sent invalidation pushes in the middle of
 *   a reply) is delivered to `onPush` as soon as it is complete, with its own buffer mode
 *   (`wantBuffers(true)`), and is not an element of the aggregate around it.
 * - Map keys are strings: UTF-8 text in string mode, latin1 text (byte-exact) in buffer mode.
 * - Aggregates are tracked on an explicit stack (no recursion): nesting depth is limited by memory only.
 * - `sink.wantBuffers(isPush)` is asked once per top-level frame, when its header line is complete
 *   (before any of its content is decoded). A top-level attribute (`|`) is not a frame: it is read
 *   in string mode and dropped, and the frame that follows it is asked for as usual.
 * - Buffers handed to the sink are always fresh copies: the decoder never returns a view on, nor
 *   keeps a reference to, a chunk given to `write()`, so callers may reuse chunks.
 * - Integers (`:`) become numbers (precision is lost beyond ±2^53, as with any JS number); doubles
 *   (`,`) become numbers, `inf`/`-inf`/`nan` included; big numbers (`(`) become bigints.
 * - Streamed RESP3 strings and aggregates (`$?`, `*?`, `%?`, `~?`, `;`, `.`) are rejected with a
 *   ProtocolError: Redis never sends them.
 * - Malformed input makes `write()` throw a {@link ProtocolError} naming the problem and the byte
 *   offset (counted from construction or the last `reset()`); the decoder must then be `reset()`.
 * - Sink callbacks may call `reset()`: the rest of the current chunk is then discarded. They must
 *   not call `write()` re-entrantly, and an exception thrown by a callback leaves the decoder in an
 *   undefined state (reset it).
 */
export class RespDecoder {
  private readonly sink: DecoderSink;

  private state = S_LINE;
  /** Buffer mode of the current top-level frame (answer of `sink.wantBuffers`). */
  private buffers = false;
  /** Bytes given to `write()` before the current chunk (for error offsets). */
  private consumed = 0;
  /** Absolute offset of index 0 of the buffer being parsed. */
  private base = 0;
  /** Incremented by `reset()`, so a reset from a sink callback stops the chunk being parsed. */
  private generation = 0;
  /** Set by `readInt`: index just past the line's LF, or -1 when the line is incomplete. */
  private next = 0;

  // An incomplete line (type byte included) carried over to the next chunk.
  private lineParts: Buffer[] | null = null;
  private lineStart = 0;
  private lineLength = 0;

  // The bulk string being assembled across chunks.
  private bulkType = 0;
  private bulkLength = 0;
  /** Bytes received so far, payload then CRLF (so it ends at bulkLength + 2). */
  private bulkFilled = 0;
  private bulkBuf: Buffer | null = null;
  private bulkStart = 0;

  // The stack of open aggregates, as parallel arrays indexed by depth - 1.
  private depth = 0;
  private readonly stackKind: number[] = [];
  private readonly stackItems: RespValue[][] = [];
  private readonly stackIndex: number[] = [];
  private readonly stackLength: number[] = [];
  /** For a push nested in an aggregate: the buffer mode of the frame around it, restored when it ends. */
  private readonly stackOuterBuffers: boolean[] = [];
  private readonly maxBulkLength: number;

  /**
   * @param sink receives every complete top-level frame, in wire order.
   * @param options.maxBulkLength largest bulk string accepted, in bytes (default 512 MiB; at most
   *   `buffer.constants.MAX_LENGTH`). A longer one is a ProtocolError.
   */
  constructor(sink: DecoderSink, options?: { maxBulkLength?: number }) {
    this.sink = sink;
    const max = options?.maxBulkLength ?? DEFAULT_MAX_BULK_LENGTH;
    this.maxBulkLength = Number.isInteger(max) && max >= 0 ? Math.min(max, MAX_BUFFER_LENGTH) : DEFAULT_MAX_BULK_LENGTH;
  }

  /**
   * Feed the next bytes of the stream. Complete frames are reported to the sink before this returns.
   * @throws {ProtocolError} when the bytes are not valid RESP (the decoder must then be reset).
   */
  write(chunk: Buffer): void {
    const end = chunk.length;
    const base = this.consumed;
    this.consumed = base + end;
    const generation = this.generation;
    let pos = 0;
    while (pos < end) {
      if (this.state === S_BULK) {
        this.base = base;
        pos = this.readBulk(chunk, pos, end);
      } else if (this.lineParts !== null) {
        pos = this.resumeLine(chunk, pos, end, base, generation);
      } else {
        this.base = base;
        pos = this.parse(chunk, pos, end, generation);
      }
      if (this.generation !== generation) return;
    }
  }

  /** Drop all partial state (after a ProtocolError, or when the connection is replaced). */
  reset(): void {
    this.generation++;
    this.state = S_LINE;
    this.buffers = false;
    this.consumed = 0;
    this.base = 0;
    this.lineParts = null;
    this.bulkBuf = null;
    this.bulkFilled = 0;
    this.bulkLength = 0;
    this.depth = 0;
    this.stackKind.length = 0;
    this.stackItems.length = 0;
    this.stackIndex.length = 0;
    this.stackLength.length = 0;
    this.stackOuterBuffers.length = 0;
  }

  private fail(problem: string, pos: number): ProtocolError {
    return new ProtocolError(`Invalid RESP: ${problem} at byte offset ${this.base + pos}`);
  }

  /** Keep an incomplete line (a copy) until the next chunk brings its LF. */
  private stash(buf: Buffer, pos: number, end: number): number {
    this.lineParts = [copyOf(buf, pos, end)];
    this.lineStart = this.base + pos;
    this.lineLength = end - pos;
    return end;
  }

  /**
   * Continue a stashed line with the bytes up to the next LF (or all of `chunk` if it has none), and
   * parse the result as part of the stream: a complete line is decoded, an incomplete one is
   * validated as far as it goes and stashed again. Lines longer than {@link SHORT_LINE} without an LF
   * in sight are only accumulated, so a long line costs linear time.
   */
  private resumeLine(chunk: Buffer, pos: number, end: number, base: number, generation: number): number {
    const parts = this.lineParts!;
    const lf = chunk.indexOf(LF, pos);
    if (lf === -1 && this.lineLength > SHORT_LINE) {
      parts.push(copyOf(chunk, pos, end));
      this.lineLength += end - pos;
      return end;
    }
    const stop = lf === -1 ? end : lf + 1;
    parts.push(chunk.subarray(pos, stop));
    const line = Buffer.concat(parts);
    this.lineParts = null;
    // The line is an exact run of the stream: parse it as such. It may leave a bulk or an aggregate
    // open, or be stashed again (incomplete, or malformed with a bare LF and completed at the next LF).
    this.base = this.lineStart;
    this.parse(line, 0, line.length, generation);
    this.base = base;
    return stop;
  }

  /**
   * Parse `[+-]digits CRLF` starting at `p`. Returns the value and sets `this.next` past the LF,
   * or sets `this.next` to -1 when the line is incomplete.
   */
  private readInt(buf: Buffer, p: number, end: number): number {
    let c = 0;
    let negative = false;
    if (p < end) {
      c = buf[p]!;
      if (c === T_ERROR) {
        negative = true;
        p++;
      } else if (c === T_SIMPLE) {
        p++;
      }
    }
    const start = p;
    let n = 0;
    while (p < end) {
      c = buf[p]!;
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
      p++;
    }
    const digits = p - start;
    if (digits > MAX_INTEGER_DIGITS) throw this.fail('integer too long', start);
    if (p >= end) {
      this.next = -1;
      return 0;
    }
    if (c !== CR) throw this.fail(c === QUESTION ? 'streamed RESP3 types are not supported' : 'invalid integer', p);
    if (digits === 0) throw this.fail('empty integer', p);
    if (p + 1 >= end) {
      this.next = -1;
      return 0;
    }
    if (buf[p + 1] !== LF) throw this.fail('expected LF after CR', p + 1);
    this.next = p + 2;
    if (digits > 15) n = Number(latin1(buf, start, p)); // exact rounding beyond 2^53
    return negative ? 0 - n : n;
  }

  /** Find the CR ending the line that starts at `pos`; -1 if the line (CRLF included) is incomplete. */
  private lineEnd(buf: Buffer, pos: number, end: number): number {
    // Short lines (the common case) are scanned in JS; longer ones with the native indexOf.
    let cr = pos + 1;
    const limit = pos + 17 < end ? pos + 17 : end;
    while (cr < limit && buf[cr] !== CR) cr++;
    if (cr === limit) cr = limit < end ? buf.indexOf(CR, limit) : -1;
    if (cr === -1 || cr + 1 >= end) return -1;
    if (buf[cr + 1] !== LF) throw this.fail('expected LF after CR', cr + 1);
    return cr;
  }

  /** Parse frames from `buf[pos, end)` (end === buf.length) until it is consumed or a bulk spans past it. */
  private parse(buf: Buffer, pos: number, end: number, generation: number): number {
    while (pos < end) {
      if (this.generation !== generation) return end;
      const type = buf[pos]!;
      switch (type) {
        case T_BULK:
        case T_VERBATIM:
        case T_BULK_ERROR: {
          const len = this.readInt(buf, pos + 1, end);
          const p = this.next;
          if (p < 0) return this.stash(buf, pos, end);
          if (this.depth === 0) this.buffers = this.sink.wantBuffers(false);
          if (len < 0) {
            if (len === -1 && type === T_BULK) {
              this.emit(null);
              pos = p;
              break;
            }
            throw this.fail('invalid length', pos + 1);
          }
          if (len > this.maxBulkLength) throw this.fail(`bulk length ${len} exceeds maxBulkLength ${this.maxBulkLength}`, pos + 1);
          const stop = p + len;
          if (stop + 2 > end) {
            this.beginBulk(type, len, pos, end - p);
            return this.readBulk(buf, p, end);
          }
          if (buf[stop] !== CR || buf[stop + 1] !== LF) throw this.fail('missing CRLF after bulk string', stop);
          if (type === T_BULK) {
            this.emit(this.buffers ? copyOf(buf, p, stop) : utf8(buf, p, stop));
          } else if (type === T_VERBATIM) {
            if (len < 4 || buf[p + 3] !== COLON) throw this.fail('invalid verbatim string format', p);
            this.emit(this.buffers ? copyOf(buf, p + 4, stop) : utf8(buf, p + 4, stop));
          } else {
            this.emitError(replyErrorFromMessage(utf8(buf, p, stop)));
          }
          pos = stop + 2;
          break;
        }
        case T_ARRAY:
        case T_SET:
        case T_MAP:
        case T_PUSH:
        case T_ATTRIBUTE: {
          const len = this.readInt(buf, pos + 1, end);
          const p = this.next;
          if (p < 0) return this.stash(buf, pos, end);
          const nestedPush = type === T_PUSH && this.depth > 0;
          if (type === T_ATTRIBUTE) {
            if (this.depth === 0) this.buffers = false; // its content is dropped
          } else if (this.depth === 0) {
            this.buffers = this.sink.wantBuffers(type === T_PUSH);
          }
          if (len < 0) {
            if (len === -1 && type === T_ARRAY) {
              this.emit(null);
              pos = p;
              break;
            }
            throw this.fail('invalid length', pos + 1);
          }
          const kind = type === T_MAP ? K_MAP : type === T_PUSH ? K_PUSH : type === T_ATTRIBUTE ? K_ATTRIBUTE : K_ARRAY;
          const count = kind === K_MAP || kind === K_ATTRIBUTE ? len * 2 : len;
          if (count > MAX_AGGREGATE_LENGTH) throw this.fail('aggregate length too large', pos + 1);
          pos = p;
          if (count === 0) {
            this.emitEmpty(kind);
          } else {
            const d = this.depth++;
            if (nestedPush) {
              // Out of band: its own buffer mode, restored when it ends.
              this.stackOuterBuffers[d] = this.buffers;
              this.buffers = this.sink.wantBuffers(true);
            }
            this.stackKind[d] = kind;
            this.stackItems[d] = count <= PREALLOCATE_LIMIT ? new Array<RespValue>(count) : [];
            this.stackIndex[d] = 0;
            this.stackLength[d] = count;
          }
          break;
        }
        case T_INTEGER: {
          const n = this.readInt(buf, pos + 1, end);
          const p = this.next;
          if (p < 0) return this.stash(buf, pos, end);
          if (this.depth === 0) this.buffers = this.sink.wantBuffers(false);
          this.emit(n);
          pos = p;
          break;
        }
        case T_SIMPLE: {
          const cr = this.lineEnd(buf, pos, end);
          if (cr < 0) return this.stash(buf, pos, end);
          if (this.depth === 0) this.buffers = this.sink.wantBuffers(false);
          this.emit(this.buffers ? copyOf(buf, pos + 1, cr) : utf8(buf, pos + 1, cr));
          pos = cr + 2;
          break;
        }
        case T_ERROR: {
          const cr = this.lineEnd(buf, pos, end);
          if (cr < 0) return this.stash(buf, pos, end);
          if (this.depth === 0) this.buffers = this.sink.wantBuffers(false);
          this.emitError(replyErrorFromMessage(utf8(buf, pos + 1, cr)));
          pos = cr + 2;
          break;
        }
        case T_NULL: {
          if (pos + 1 < end && buf[pos + 1] !== CR) throw this.fail('invalid null', pos + 1);
          if (pos + 2 >= end) return this.stash(buf, pos, end);
          if (buf[pos + 2] !== LF) throw this.fail('expected LF after CR', pos + 2);
          if (this.depth === 0) this.buffers = this.sink.wantBuffers(false);
          this.emit(null);
          pos += 3;
          break;
        }
        case T_BOOLEAN: {
          if (pos + 3 >= end) {
            const c = pos + 1 < end ? buf[pos + 1]! : 116;
            if ((c !== 116 && c !== 102) || (pos + 2 < end && buf[pos + 2] !== CR)) {
              throw this.fail('invalid boolean', pos + 1);
            }
            return this.stash(buf, pos, end);
          }
          const c = buf[pos + 1]!;
          if ((c !== 116 && c !== 102) || buf[pos + 2] !== CR) throw this.fail('invalid boolean', pos + 1);
          if (buf[pos + 3] !== LF) throw this.fail('expected LF after CR', pos + 3);
          if (this.depth === 0) this.buffers = this.sink.wantBuffers(false);
          this.emit(c === 116);
          pos += 4;
          break;
        }
        case T_DOUBLE: {
          const cr = this.lineEnd(buf, pos, end);
          if (cr < 0) return this.stash(buf, pos, end);
          const value = parseDouble(latin1(buf, pos + 1, cr));
          if (value === undefined) throw this.fail('invalid double', pos + 1);
          if (this.depth === 0) this.buffers = this.sink.wantBuffers(false);
          this.emit(value);
          pos = cr + 2;
          break;
        }
        case T_BIG_NUMBER: {
          const cr = this.lineEnd(buf, pos, end);
          if (cr < 0) return this.stash(buf, pos, end);
          const text = latin1(buf, pos + 1, cr);
          if (!BIG_NUMBER_RE.test(text)) throw this.fail('invalid big number', pos + 1);
          if (this.depth === 0) this.buffers = this.sink.wantBuffers(false);
          this.emit(BigInt(text));
          pos = cr + 2;
          break;
        }
        case T_STREAM_CHUNK:
        case T_STREAM_END:
          throw this.fail('streamed RESP3 types are not supported', pos);
        default:
          throw this.fail(`unknown type byte 0x${type.toString(16).padStart(2, '0')}`, pos);
      }
    }
    return end;
  }

  private beginBulk(type: number, len: number, headerPos: number, available: number): void {
    this.state = S_BULK;
    this.bulkType = type;
    this.bulkLength = len;
    this.bulkFilled = 0;
    this.bulkBuf = Buffer.allocUnsafe(Math.min(len, Math.max(BULK_INITIAL_CAPACITY, available)));
    this.bulkStart = this.base + headerPos;
  }

  /** Makes room in the bulk buffer for `incoming` more payload bytes (growing 4x: about 1.3 copies per byte; capped at the announced length). */
  private growBulk(filled: number, incoming: number): Buffer {
    const current = this.bulkBuf!;
    if (filled + incoming <= current.length) return current;
    const capacity = Math.min(this.bulkLength, Math.max(current.length * 4, filled + incoming));
    const grown = Buffer.allocUnsafe(capacity);
    current.copy(grown, 0, 0, filled);
    this.bulkBuf = grown;
    return grown;
  }

  /** Continue the bulk string being assembled with `buf[pos, end)`; returns the next position. */
  private readBulk(buf: Buffer, pos: number, end: number): number {
    const len = this.bulkLength;
    let filled = this.bulkFilled;
    if (filled < len) {
      const take = Math.min(len - filled, end - pos);
      buf.copy(this.growBulk(filled, take), filled, pos, pos + take);
      filled += take;
      pos += take;
    }
    while (filled >= len && filled < len + 2 && pos < end) {
      const expected = filled === len ? CR : LF;
      if (buf[pos] !== expected) throw this.fail('missing CRLF after bulk string', pos);
      filled++;
      pos++;
    }
    this.bulkFilled = filled;
    if (filled < len + 2) return end;

    const data = this.bulkBuf!;
    this.bulkBuf = null;
    this.state = S_LINE;
    const type = this.bulkType;
    if (type === T_BULK) {
      this.emit(this.buffers ? data : utf8(data, 0, len));
    } else if (type === T_VERBATIM) {
      if (len < 4 || data[3] !== COLON) {
        throw new ProtocolError(`Invalid RESP: invalid verbatim string format at byte offset ${this.bulkStart}`);
      }
      this.emit(this.buffers ? data.subarray(4) : utf8(data, 4, len));
    } else {
      this.emitError(replyErrorFromMessage(utf8(data, 0, len)));
    }
    return pos;
  }

  private emitEmpty(kind: number): void {
    if (kind === K_MAP) this.emit(Object.create(null) as RespMap);
    else if (kind === K_PUSH) this.sink.onPush([]); // nested or not: out of band
    else if (kind !== K_ATTRIBUTE) this.emit([]);
  }

  private emitError(error: ReplyError): void {
    if (this.depth === 0) this.sink.onErrorReply(error);
    else this.emit(error);
  }

  /** Add a complete value to the innermost open aggregate (closing those it completes), or deliver it. */
  private emit(value: RespValue): void {
    let v = value;
    let d = this.depth;
    while (d !== 0) {
      const f = d - 1;
      const items = this.stackItems[f]!;
      const i = this.stackIndex[f]!;
      items[i] = v;
      if (i + 1 !== this.stackLength[f]) {
        this.stackIndex[f] = i + 1;
        return;
      }
      this.depth = d = f;
      this.stackItems[f] = EMPTY_ITEMS;
      const kind = this.stackKind[f];
      if (kind === K_ARRAY) {
        v = items;
      } else if (kind === K_MAP) {
        v = toMap(items);
      } else if (kind === K_ATTRIBUTE) {
        return; // attributes are dropped; the value that follows is delivered in their place
      } else {
        // A push, top-level or nested: delivered out of band, never an element of its parent.
        if (f > 0) this.buffers = this.stackOuterBuffers[f]!;
        this.sink.onPush(items);
        return;
      }
    }
    this.sink.onReply(v);
  }
}
