import { numberText } from './number-text.js';
import type { RedisArgument } from './types.js';

const CRLF = '\r\n';

/** How an invalid argument is described in a TypeError: its type, never its value. */
function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  const type = typeof value;
  if (type === 'number') return 'a non-finite number';
  if (type !== 'object') return `of type ${type}`;
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
  const name = proto?.constructor?.name;
  return typeof name === 'string' && name !== '' ? `an object (${name})` : 'an object';
}

function invalidArgument(index: number, value: unknown): TypeError {
  return new TypeError(
    `Invalid command argument at position ${index}: it is ${describeType(value)}; expected a string, a Buffer or a finite number`,
  );
}

/**
 * Encodes commands as RESP arrays of bulk strings into a list of chunks for `socket.write`.
 *
 * String arguments (and all framing) are appended to a pending string, so a pipeline of small
 * commands becomes one string write; Buffer arguments are emitted as they are, never copied, between
 * the strings around them. Write the chunks in order: strings as UTF-8, Buffers as they are.
 */
export class CommandEncoder {
  private chunks: Array<string | Buffer> = [];
  private pending = '';
  private bytes = 0;

  /** Approximate bytes accumulated since the last {@link CommandEncoder.take} (for back-pressure decisions). */
  get pendingBytes(): number {
    return this.bytes;
  }

  /**
   * Append one command.
   * @param args the argv, command name first. Numbers are written as their decimal text.
   * @throws {TypeError} when `args` is empty or an argument is not a string, a Buffer or a finite
   *   number; the message names the position and the type, never the value. Nothing is appended then.
   */
  push(args: readonly RedisArgument[]): void {
    const count = args.length;
    if (count === 0) throw new TypeError('Invalid command: it has no arguments');
    const chunks = this.chunks;
    const mark = chunks.length;
    let s = this.pending + ('*' + count + CRLF);
    let bytes = this.bytes + s.length - this.pending.length;
    for (let i = 0; i < count; i++) {
      const arg: unknown = args[i];
      if (typeof arg === 'string') {
        const len = Buffer.byteLength(arg, 'utf8');
        const header = '$' + len + CRLF;
        s = s + (header + arg + CRLF); // short groups become flat strings: fewer rope nodes
        bytes += header.length + len + 2;
      } else if (typeof arg === 'number') {
        if (!Number.isFinite(arg)) {
          chunks.length = mark;
          throw invalidArgument(i, arg);
        }
        const text = numberText(arg);
        const header = '$' + text.length + CRLF;
        s = s + (header + text + CRLF);
        bytes += header.length + text.length + 2;
      } else if (Buffer.isBuffer(arg)) {
        if (arg.length === 0) {
          s += '$0\r\n\r\n';
          bytes += 6;
          continue;
        }
        const header = '$' + arg.length + CRLF;
        chunks.push(s + header, arg);
        s = CRLF;
        bytes += header.length + arg.length + 2;
      } else {
        chunks.length = mark;
        throw invalidArgument(i, arg);
      }
    }
    this.pending = s;
    this.bytes = bytes;
  }

  /** Drops everything accumulated since the last take (the socket it was meant for is gone). */
  reset(): void {
    this.chunks = [];
    this.pending = '';
    this.bytes = 0;
  }

  /** The chunks accumulated since the last take, consecutive strings merged into one string; resets. */
  take(): Array<string | Buffer> {
    const chunks = this.chunks;
    if (this.pending !== '') chunks.push(this.pending);
    this.chunks = [];
    this.pending = '';
    this.bytes = 0;
    return chunks;
  }
}

/**
 * Encode one command into chunks (see {@link CommandEncoder}).
 * @param args the argv, command name first.
 * @throws {TypeError} on an invalid argument (position and type in the message).
 */
export function encodeCommand(args: readonly RedisArgument[]): Array<string | Buffer> {
  const encoder = new CommandEncoder();
  encoder.push(args);
  return encoder.take();
}
