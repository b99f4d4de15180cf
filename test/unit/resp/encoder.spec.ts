import { CommandEncoder, encodeCommand } from '../../../lib/engine/resp/encoder.js';
import { RespDecoder } from '../../../lib/engine/resp/decoder.js';
import type { RedisArgument, RespValue } from '../../../lib/engine/resp/types.js';
import * as resp from '../../../lib/engine/resp/index.js';

/** The bytes a connection would write for these chunks (strings as UTF-8, Buffers as they are). */
function wire(chunks: ReadonlyArray<string | Buffer>): Buffer {
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
}

function encoded(args: readonly RedisArgument[]): string {
  return wire(encodeCommand(args)).toString('latin1');
}

/** Small seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('encodeCommand: exact bytes', () => {
  it('encodes strings as an array of bulk strings', () => {
    expect(encodeCommand(['SET', 'key', 'value'])).toEqual(['*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n']);
    expect(encodeCommand(['PING'])).toEqual(['*1\r\n$4\r\nPING\r\n']);
  });

  it('uses the UTF-8 byte length of strings', () => {
    expect(encoded(['SET', 'é', '€😀'])).toBe(
      Buffer.from('*3\r\n$3\r\nSET\r\n$2\r\né\r\n$7\r\n€😀\r\n', 'utf8').toString('latin1'),
    );
    const chunks = encodeCommand(['ECHO', '日本']);
    expect(chunks).toEqual(['*2\r\n$4\r\nECHO\r\n$6\r\n日本\r\n']);
  });

  it('encodes empty strings and empty Buffers', () => {
    expect(encodeCommand(['SET', 'k', ''])).toEqual(['*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n']);
    expect(encodeCommand(['SET', 'k', Buffer.alloc(0)])).toEqual(['*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n']);
  });

  it('writes numbers as their decimal text', () => {
    expect(encoded(['EXPIRE', 'k', 60])).toBe('*3\r\n$6\r\nEXPIRE\r\n$1\r\nk\r\n$2\r\n60\r\n');
    expect(encoded(['X', 0, -1, 1.5, -0, 2 ** 53, 1e21, -2e22])).toBe(
      '*8\r\n$1\r\nX\r\n$1\r\n0\r\n$2\r\n-1\r\n$3\r\n1.5\r\n$1\r\n0\r\n$16\r\n9007199254740992\r\n' +
        '$22\r\n1000000000000000000000\r\n$24\r\n-20000000000000000000000\r\n',
    );
  });

  it('passes Buffers through without copying, between merged strings', () => {
    const value = Buffer.from([0, 1, 2, 13, 10, 255]);
    const chunks = encodeCommand(['SET', 'k', value]);
    expect(chunks).toHaveLength(3);
    expect(chunks[0]).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$6\r\n');
    expect(chunks[1]).toBe(value); // same object
    expect(chunks[2]).toBe('\r\n');

    const a = Buffer.from('aa');
    const b = Buffer.from('bbb');
    const two = encodeCommand(['MSET', a, b]);
    expect(two).toEqual(['*3\r\n$4\r\nMSET\r\n$2\r\n', a, '\r\n$3\r\n', b, '\r\n']);
    expect(two[1]).toBe(a);
    expect(two[3]).toBe(b);
  });

  it('passes a Buffer view (subarray) as is', () => {
    const backing = Buffer.from('xxhelloxx');
    const view = backing.subarray(2, 7);
    const chunks = encodeCommand(['ECHO', view]);
    expect(chunks[1]).toBe(view);
    expect(wire(chunks).toString()).toBe('*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n');
  });
});

describe('CommandEncoder', () => {
  it('merges consecutive strings of several commands into one chunk', () => {
    const enc = new CommandEncoder();
    enc.push(['GET', 'a']);
    enc.push(['GET', 'b']);
    enc.push(['INCRBY', 'c', 5]);
    expect(enc.take()).toEqual(['*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n*3\r\n$6\r\nINCRBY\r\n$1\r\nc\r\n$1\r\n5\r\n']);
  });

  it('alternates strings and Buffers across commands, and resets on take', () => {
    const enc = new CommandEncoder();
    const v = Buffer.from('v');
    enc.push(['SET', 'a', v]);
    enc.push(['GET', 'a']);
    const first = enc.take();
    expect(first).toEqual(['*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n', v, '\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n']);
    expect(first[1]).toBe(v);
    expect(enc.take()).toEqual([]);
    expect(enc.pendingBytes).toBe(0);
    enc.push(['PING']);
    expect(enc.take()).toEqual(['*1\r\n$4\r\nPING\r\n']);
  });

  it('counts pending bytes exactly', () => {
    const enc = new CommandEncoder();
    expect(enc.pendingBytes).toBe(0);
    enc.push(['SET', 'clé', Buffer.alloc(1000)]);
    enc.push(['SET', '€', 12345]);
    const bytes = enc.pendingBytes;
    expect(bytes).toBe(wire(enc.take()).length);
    expect(enc.pendingBytes).toBe(0);
  });

  const INVALID: Array<[string, unknown, RegExp]> = [
    ['undefined', undefined, /position 2: it is undefined/],
    ['null', null, /position 2: it is null/],
    ['a plain object', { secret: 'hunter2' }, /position 2: it is an object \(Object\)/],
    ['a null-prototype object', Object.create(null) as object, /position 2: it is an object;/],
    ['an array', ['hunter2'], /position 2: it is an object \(Array\)/],
    ['a Map', new Map([['hunter2', 1]]), /position 2: it is an object \(Map\)/],
    ['a Uint8Array', new Uint8Array([104, 117, 110]), /position 2: it is an object \(Uint8Array\)/],
    ['NaN', NaN, /position 2: it is a non-finite number/],
    ['Infinity', Infinity, /position 2: it is a non-finite number/],
    ['-Infinity', -Infinity, /position 2: it is a non-finite number/],
    ['a boolean', true, /position 2: it is of type boolean/],
    ['a bigint', 12345678901234567890n, /position 2: it is of type bigint/],
    ['a symbol', Symbol('hunter2'), /position 2: it is of type symbol/],
    ['a function', () => 'hunter2', /position 2: it is of type function/],
  ];

  it.each(INVALID)('rejects %s with a TypeError naming the position and type, not the value', (_name, bad, message) => {
    const enc = new CommandEncoder();
    const v = Buffer.from('kept');
    enc.push(['SET', 'a', v]);
    const before = enc.pendingBytes;
    let error: unknown;
    try {
      enc.push(['SET', Buffer.from('k'), bad as RedisArgument, 'x']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/hunter2|12345678901234567890|104/);
    // nothing of the rejected command was appended
    expect(enc.pendingBytes).toBe(before);
    const chunks = enc.take();
    expect(chunks).toEqual(['*3\r\n$3\r\nSET\r\n$1\r\na\r\n$4\r\n', v, '\r\n']);
    expect(() => encodeCommand(['GET', bad as RedisArgument])).toThrow(/position 1/);
  });

  it('rejects an empty argv', () => {
    expect(() => encodeCommand([])).toThrow(TypeError);
  });
});

describe('encoder → decoder round trip', () => {
  it('random argv decode back to the same bytes (seeded)', () => {
    const rnd = prng(42);
    const int = (n: number) => Math.floor(rnd() * n);
    const alphabet = ['a', 'Z', '9', ' ', '\r', '\n', '$', '*', 'é', '€', '😀', '\u0000'];
    const enc = new CommandEncoder();
    const expected: string[][] = [];
    for (let c = 0; c < 500; c++) {
      const argv: RedisArgument[] = [];
      const bytes: string[] = [];
      const n = 1 + int(8);
      for (let i = 0; i < n; i++) {
        const kind = int(3);
        if (kind === 0) {
          const s = Array.from({ length: int(30) }, () => alphabet[int(alphabet.length)]).join('');
          argv.push(s);
          bytes.push(Buffer.from(s, 'utf8').toString('hex'));
        } else if (kind === 1) {
          const b = Buffer.from(Array.from({ length: int(300) }, () => int(256)));
          argv.push(b);
          bytes.push(b.toString('hex'));
        } else {
          const x = int(2) ? int(1e9) - 5e8 : (rnd() - 0.5) * 1e6;
          argv.push(x);
          bytes.push(Buffer.from(String(x)).toString('hex'));
        }
      }
      enc.push(argv);
      expected.push(bytes);
    }
    const all = wire(enc.take());
    const got: string[][] = [];
    const decoder = new RespDecoder({
      onReply: (v: RespValue) => got.push((v as Buffer[]).map((b) => b.toString('hex'))),
      onErrorReply: () => {
        throw new Error('unexpected error reply');
      },
      onPush: () => {
        throw new Error('unexpected push');
      },
      wantBuffers: () => true,
    });
    for (let at = 0; at < all.length; ) {
      const size = 1 + int(2000);
      decoder.write(all.subarray(at, at + size));
      at += size;
    }
    expect(got).toEqual(expected);
  });
});

describe('resp index', () => {
  it('re-exports the public API', () => {
    expect(resp.RespDecoder).toBe(RespDecoder);
    expect(resp.CommandEncoder).toBe(CommandEncoder);
    expect(resp.encodeCommand).toBe(encodeCommand);
  });
});
