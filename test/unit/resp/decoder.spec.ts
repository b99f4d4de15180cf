import { RespDecoder } from '../../../lib/engine/resp/decoder.js';
import type { RespValue } from '../../../lib/engine/resp/types.js';
import { ProtocolError } from '../../../lib/engine/errors/base.error.js';
import {
  AskError,
  ClusterDownError,
  MovedError,
  ReplyError,
  TryAgainError,
} from '../../../lib/engine/errors/reply.error.js';
import { Collector, type CollectedEvent } from './support/decoder-collector.js';

// ---------------------------------------------------------------------------------------------
// Helpers

/** A canonical, exact text form of a decoded value (types, prototypes, -0, NaN, error classes). */
function canon(v: RespValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return 's' + JSON.stringify(v);
    case 'number':
      return 'n' + (Object.is(v, -0) ? '-0' : String(v));
    case 'bigint':
      return 'big' + v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      break;
  }
  if (Buffer.isBuffer(v)) return 'b<' + v.toString('hex') + '>';
  if (v instanceof ReplyError) {
    let s = `err:${v.constructor.name}:${JSON.stringify(v.message)}`;
    if (v instanceof MovedError || v instanceof AskError) s += `@${v.slot}/${v.address}`;
    return s;
  }
  if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
  if (Object.getPrototypeOf(v) !== null) return 'BAD-PROTOTYPE';
  return '{' + Object.keys(v).map((k) => JSON.stringify(k) + ':' + canon(v[k]!)).join(',') + '}';
}

function canonEvents(events: readonly CollectedEvent[]): string[] {
  return events.map((e) => `${e.kind} ${canon(e.value)}`);
}

function bytes(...parts: Array<string | Buffer>): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
}

/** Decode `input` fed as the given chunks (cut at `cuts`, sorted offsets). */
function decodeCut(input: Buffer, cuts: readonly number[], mode: ConstructorParameters<typeof Collector>[0] = false) {
  const sink = new Collector(mode);
  const decoder = new RespDecoder(sink);
  let prev = 0;
  for (const cut of cuts) {
    decoder.write(input.subarray(prev, cut));
    prev = cut;
  }
  decoder.write(input.subarray(prev));
  return sink;
}

function decodeWhole(input: Buffer, mode: ConstructorParameters<typeof Collector>[0] = false) {
  return decodeCut(input, [], mode);
}

function decodeBytewise(input: Buffer, mode: ConstructorParameters<typeof Collector>[0] = false) {
  const sink = new Collector(mode);
  const decoder = new RespDecoder(sink);
  // Fresh one-byte buffers, as a socket would hand out.
  for (let i = 0; i < input.length; i++) decoder.write(Buffer.from([input[i]!]));
  return sink;
}

function decodeOne(input: string | Buffer, buffers = false): RespValue {
  const sink = decodeWhole(typeof input === 'string' ? Buffer.from(input, 'utf8') : input, buffers);
  expect(sink.events).toHaveLength(1);
  return sink.events[0]!.value;
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

// ---------------------------------------------------------------------------------------------
// The corpus: [wire, expected events in string mode]

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

const CORPUS: Array<[string, Buffer, string[]]> = [
  ['simple string', bytes('+OK\r\n'), ['reply s"OK"']],
  ['empty simple string', bytes('+\r\n'), ['reply s""']],
  ['simple string utf8', bytes('+héllo wörld ✓\r\n'), ['reply s"héllo wörld ✓"']],
  ['error', bytes('-ERR unknown command\r\n'), ['error err:ReplyError:"ERR unknown command"']],
  ['MOVED', bytes('-MOVED 3999 127.0.0.1:6381\r\n'), ['error err:MovedError:"MOVED 3999 127.0.0.1:6381"@3999/127.0.0.1:6381']],
  ['ASK', bytes('-ASK 12182 10.0.0.2:7002\r\n'), ['error err:AskError:"ASK 12182 10.0.0.2:7002"@12182/10.0.0.2:7002']],
  ['integer', bytes(':1000\r\n'), ['reply n1000']],
  ['negative integer', bytes(':-42\r\n'), ['reply n-42']],
  ['plus integer', bytes(':+7\r\n'), ['reply n7']],
  ['zero', bytes(':0\r\n'), ['reply n0']],
  ['int64 max', bytes(':9223372036854775807\r\n'), ['reply n9223372036854776000']],
  ['bulk', bytes('$5\r\nhello\r\n'), ['reply s"hello"']],
  ['empty bulk', bytes('$0\r\n\r\n'), ['reply s""']],
  ['null bulk', bytes('$-1\r\n'), ['reply null']],
  ['bulk with CRLF inside', bytes('$6\r\na\r\nb\r\n\r\n'), ['reply s"a\\r\\nb\\r\\n"']],
  ['bulk utf8', bytes('$12\r\n日本語の\r\n'), ['reply s"日本語の"']],
  ['bulk emoji', bytes('$8\r\n😀🎉\r\n'), ['reply s"😀🎉"']],
  ['array', bytes('*3\r\n$3\r\nfoo\r\n:1\r\n+bar\r\n'), ['reply [s"foo",n1,s"bar"]']],
  ['empty array', bytes('*0\r\n'), ['reply []']],
  ['null array', bytes('*-1\r\n'), ['reply null']],
  ['nested array', bytes('*2\r\n*2\r\n:1\r\n:2\r\n*1\r\n*0\r\n'), ['reply [[n1,n2],[[]]]']],
  ['array with nulls', bytes('*3\r\n$-1\r\n*-1\r\n_\r\n'), ['reply [null,null,null]']],
  ['EXEC with nested errors', bytes('*3\r\n+OK\r\n-WRONGTYPE Operation against a key\r\n!10\r\nTRYAGAIN x\r\n'), ['reply [s"OK",err:ReplyError:"WRONGTYPE Operation against a key",err:TryAgainError:"TRYAGAIN x"]']],
  ['null', bytes('_\r\n'), ['reply null']],
  ['true', bytes('#t\r\n'), ['reply true']],
  ['false', bytes('#f\r\n'), ['reply false']],
  ['double', bytes(',3.14\r\n'), ['reply n3.14']],
  ['double exponent', bytes(',-1.5e-3\r\n'), ['reply n-0.0015']],
  ['double big exponent', bytes(',1E+300\r\n'), ['reply n1e+300']],
  ['double integer', bytes(',10\r\n'), ['reply n10']],
  ['double inf', bytes(',inf\r\n'), ['reply nInfinity']],
  ['double -inf', bytes(',-inf\r\n'), ['reply n-Infinity']],
  ['double nan', bytes(',nan\r\n'), ['reply nNaN']],
  ['big number', bytes('(3492890328409238509324850943850943825024385\r\n'), ['reply big3492890328409238509324850943850943825024385']],
  ['negative big number', bytes('(-12345678901234567890\r\n'), ['reply big-12345678901234567890']],
  ['bulk error', bytes('!21\r\nSYNTAX invalid syntax\r\n'), ['error err:ReplyError:"SYNTAX invalid syntax"']],
  ['bulk error CLUSTERDOWN', bytes('!31\r\nCLUSTERDOWN The cluster is down\r\n'), ['error err:ClusterDownError:"CLUSTERDOWN The cluster is down"']],
  ['verbatim', bytes('=15\r\ntxt:Some string\r\n'), ['reply s"Some string"']],
  ['verbatim empty', bytes('=4\r\nmkd:\r\n'), ['reply s""']],
  ['map', bytes('%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n#t\r\n'), ['reply {"first":n1,"second":true}']],
  ['empty map', bytes('%0\r\n'), ['reply {}']],
  ['map with non-string keys', bytes('%3\r\n:1\r\n+one\r\n_\r\n+nil\r\n#f\r\n+no\r\n'), ['reply {"1":s"one","null":s"nil","false":s"no"}']],
  ['map __proto__ key', bytes('%1\r\n+__proto__\r\n:1\r\n'), ['reply {"__proto__":n1}']],
  ['nested map', bytes('%1\r\n+m\r\n%1\r\n+a\r\n*2\r\n:1\r\n%0\r\n'), ['reply {"m":{"a":[n1,{}]}}']],
  ['set', bytes('~3\r\n+a\r\n+b\r\n:3\r\n'), ['reply [s"a",s"b",n3]']],
  ['empty set', bytes('~0\r\n'), ['reply []']],
  ['attribute then reply', bytes('|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n'), ['reply [n2039123,n9543892]']],
  ['attribute nested', bytes('*2\r\n|1\r\n+ttl\r\n:3600\r\n+a\r\n+b\r\n'), ['reply [s"a",s"b"]']],
  ['empty attribute', bytes('|0\r\n:5\r\n'), ['reply n5']],
  ['push', bytes('>3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$5\r\nhello\r\n'), ['push [s"message",s"chan",s"hello"]']],
  ['push invalidate null', bytes('>2\r\n$10\r\ninvalidate\r\n_\r\n'), ['push [s"invalidate",null]']],
  ['empty push', bytes('>0\r\n'), ['push []']],
  ['CLUSTER SHARDS-like', bytes('*1\r\n%2\r\n$5\r\nslots\r\n*2\r\n:0\r\n:5460\r\n$5\r\nnodes\r\n*1\r\n%3\r\n$2\r\nid\r\n$3\r\nabc\r\n$4\r\nport\r\n:7000\r\n$6\r\nhealth\r\n$6\r\nonline\r\n'), ['reply [{"slots":[n0,n5460],"nodes":[{"id":s"abc","port":n7000,"health":s"online"}]}]']],
];

// ---------------------------------------------------------------------------------------------

describe('RespDecoder: types', () => {
  it.each(CORPUS)('%s', (_name, wire, expected) => {
    const sink = decodeWhole(wire);
    expect(canonEvents(sink.events)).toEqual(expected);
  });

  it('decodes binary bulk strings (all 256 byte values) as Buffers in buffer mode', () => {
    const wire = bytes(`$${ALL_BYTES.length}\r\n`, ALL_BYTES, '\r\n');
    const value = decodeOne(wire, true);
    expect(Buffer.isBuffer(value)).toBe(true);
    expect((value as Buffer).equals(ALL_BYTES)).toBe(true);
    // split inside the payload too
    const sink = decodeCut(wire, [3, 100, 200], true);
    expect((sink.events[0]!.value as Buffer).equals(ALL_BYTES)).toBe(true);
  });

  it('returns simple, bulk and verbatim strings as Buffers in buffer mode; errors stay strings', () => {
    const sink = decodeWhole(
      bytes('+OK\r\n', '$3\r\nfoo\r\n', '=7\r\ntxt:bar\r\n', '-ERR x\r\n', '*2\r\n+a\r\n-ERR y\r\n', '%1\r\n$1\r\nk\r\n$1\r\nv\r\n'),
      true,
    );
    expect(canonEvents(sink.events)).toEqual([
      'reply b<4f4b>',
      'reply b<666f6f>',
      'reply b<626172>',
      'error err:ReplyError:"ERR x"',
      'reply [b<61>,err:ReplyError:"ERR y"]',
      'reply {"k":b<76>}',
    ]);
  });

  it('returns fresh Buffers that do not alias the input chunk', () => {
    const chunk = bytes('$3\r\nfoo\r\n+bar\r\n');
    const sink = decodeWhole(chunk, true);
    const [a, b] = sink.events.map((e) => e.value as Buffer);
    chunk.fill(0);
    expect(a!.toString()).toBe('foo');
    expect(b!.toString()).toBe('bar');
    expect(a!.buffer === chunk.buffer && a!.byteOffset >= chunk.byteOffset && a!.byteOffset < chunk.byteOffset + chunk.length).toBe(false);
  });

  it('decodes a UTF-8 character split across chunks correctly', () => {
    const wire = bytes('$4\r\n€x\r\n'); // € is 3 bytes
    for (let cut = 5; cut <= 8; cut++) {
      expect(canonEvents(decodeCut(wire, [cut]).events)).toEqual(['reply s"€x"']);
    }
  });

  it('maps a Buffer key to its byte-exact latin1 text in buffer mode (binary keys never collide)', () => {
    const value = decodeOne('%1\r\n$5\r\nclé!\r\n:1\r\n', true);
    expect(Object.keys(value as object)).toEqual([Buffer.from('clé!').toString('latin1')]);
    expect(Buffer.from(Object.keys(value as object)[0]!, 'latin1').toString('utf8')).toBe('clé!');
  });

  it('returns maps as objects with a null prototype', () => {
    const value = decodeOne('%1\r\n+a\r\n:1\r\n');
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(value).toEqual({ a: 1 });
  });

  it('strips the verbatim format prefix', () => {
    expect(decodeOne('=8\r\nmkd:# hi\r\n')).toBe('# hi');
  });

  it('keeps large integers as numbers and exact within 2^53', () => {
    expect(decodeOne(':9007199254740991\r\n')).toBe(9007199254740991);
    expect(decodeOne(':-9007199254740991\r\n')).toBe(-9007199254740991);
    expect(decodeOne(':123456789012345678\r\n')).toBe(123456789012345678);
    // beyond 2^53: the nearest double, as Number() gives (digit-by-digit accumulation would be off)
    expect(decodeOne(':7470231483254852136\r\n')).toBe(Number('7470231483254852136'));
    expect(decodeOne(':-7470231483254852136\r\n')).toBe(-Number('7470231483254852136'));
  });
});

describe('RespDecoder: top-level routing', () => {
  it('keeps a push frame between two replies in order and routes it to onPush', () => {
    const sink = decodeWhole(bytes('+first\r\n', '>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n', ':2\r\n'));
    expect(canonEvents(sink.events)).toEqual(['reply s"first"', 'push [s"server-cpu-usage",n42]', 'reply n2']);
    expect(sink.wantCalls).toEqual([false, true, false]);
  });

  it('classifies error replies (top-level and nested)', () => {
    const sink = decodeWhole(
      bytes(
        '-MOVED 3999 127.0.0.1:6381\r\n',
        '-ASK 3999 127.0.0.1:6381\r\n',
        '-TRYAGAIN Multiple keys request during rehashing of slot\r\n',
        '-CLUSTERDOWN The cluster is down\r\n',
        '-MOVED notaslot 1.2.3.4:1\r\n',
        '*2\r\n-MOVED 1 h:1\r\n!5\r\nASK 2\r\n',
      ),
    );
    const [moved, ask, tryAgain, down, bad, arr] = sink.events.map((e) => e.value);
    expect(sink.events.slice(0, 5).map((e) => e.kind)).toEqual(['error', 'error', 'error', 'error', 'error']);
    expect(moved).toBeInstanceOf(MovedError);
    expect((moved as MovedError).slot).toBe(3999);
    expect((moved as MovedError).address).toBe('127.0.0.1:6381');
    expect(ask).toBeInstanceOf(AskError);
    expect((ask as AskError).slot).toBe(3999);
    expect(tryAgain).toBeInstanceOf(TryAgainError);
    expect(down).toBeInstanceOf(ClusterDownError);
    expect(bad).toBeInstanceOf(ReplyError);
    expect(bad).not.toBeInstanceOf(MovedError);
    expect(sink.events[5]!.kind).toBe('reply');
    const items = arr as RespValue[];
    expect(items[0]).toBeInstanceOf(MovedError);
    expect((items[0] as MovedError).slot).toBe(1);
    expect(items[1]).toBeInstanceOf(ReplyError); // "ASK 2" has no address: stays plain
    expect(items[1]).not.toBeInstanceOf(AskError);
  });

  it('calls wantBuffers exactly once per top-level frame, with isPush right', () => {
    const wire = bytes(
      '+OK\r\n',
      '*2\r\n*1\r\n$1\r\na\r\n%1\r\n+k\r\n+v\r\n',
      '>2\r\n+message\r\n*0\r\n',
      '-ERR no\r\n',
      '|1\r\n+a\r\n+b\r\n$3\r\nfoo\r\n',
      '$-1\r\n',
      '$5\r\nhello\r\n',
      '>0\r\n',
      ':1\r\n',
    );
    const expected = [false, false, true, false, false, false, false, true, false];
    expect(decodeWhole(wire).wantCalls).toEqual(expected);
    for (let cut = 1; cut < wire.length; cut++) expect(decodeCut(wire, [cut]).wantCalls).toEqual(expected);
    expect(decodeBytewise(wire).wantCalls).toEqual(expected);
  });

  it('applies the buffer mode per frame', () => {
    const wire = bytes('$1\r\na\r\n', '$1\r\nb\r\n', '>2\r\n$1\r\nc\r\n$1\r\nd\r\n', '*1\r\n$1\r\ne\r\n');
    const mode = (isPush: boolean, call: number) => (isPush ? false : call % 2 === 1);
    for (const sink of [decodeWhole(wire, mode), decodeBytewise(wire, mode)]) {
      expect(canonEvents(sink.events)).toEqual(['reply s"a"', 'reply b<62>', 'push [s"c",s"d"]', 'reply [b<65>]']);
    }
  });

  it('stops parsing the current chunk when a callback resets the decoder', () => {
    const events: string[] = [];
    const decoder: RespDecoder = new RespDecoder({
      onReply: (v) => {
        events.push(String(v));
        if (v === 'reset') decoder.reset();
      },
      onErrorReply: () => undefined,
      onPush: () => undefined,
      wantBuffers: () => false,
    });
    decoder.write(bytes('+a\r\n+reset\r\n+dropped\r\n$3\r\nfo'));
    decoder.write(bytes('+b\r\n'));
    expect(events).toEqual(['a', 'reset', 'b']);
  });
});

describe('RespDecoder: split input', () => {
  const pipeline = Buffer.concat(CORPUS.map(([, wire]) => wire));
  const expectedPipeline = CORPUS.flatMap(([, , expected]) => expected);

  it('the pipeline decodes whole', () => {
    expect(canonEvents(decodeWhole(pipeline).events)).toEqual(expectedPipeline);
  });

  it.each(CORPUS)('%s: split at every byte boundary and byte by byte', (_name, wire, expected) => {
    for (let cut = 0; cut <= wire.length; cut++) {
      expect(canonEvents(decodeCut(wire, [cut]).events)).toEqual(expected);
    }
    expect(canonEvents(decodeBytewise(wire).events)).toEqual(expected);
  });

  it('the pipeline split at every byte boundary (two chunks), in string and buffer mode', () => {
    const wholeBuffers = canonEvents(decodeWhole(pipeline, true).events);
    for (let cut = 1; cut < pipeline.length; cut++) {
      const got = canonEvents(decodeCut(pipeline, [cut]).events);
      if (got.join('\n') !== expectedPipeline.join('\n')) expect({ cut, got }).toEqual({ cut, got: expectedPipeline });
      const gotB = canonEvents(decodeCut(pipeline, [cut], true).events);
      if (gotB.join('\n') !== wholeBuffers.join('\n')) expect({ cut, gotB }).toEqual({ cut, gotB: wholeBuffers });
    }
  });

  it('the pipeline fed one byte at a time', () => {
    expect(canonEvents(decodeBytewise(pipeline).events)).toEqual(expectedPipeline);
    expect(canonEvents(decodeBytewise(pipeline, true).events)).toEqual(canonEvents(decodeWhole(pipeline, true).events));
  });

  it('the pipeline split at three random points, many times', () => {
    const rnd = prng(7);
    for (let i = 0; i < 2000; i++) {
      const cuts = [0, 0, 0].map(() => Math.floor(rnd() * (pipeline.length + 1))).sort((a, b) => a - b);
      expect(canonEvents(decodeCut(pipeline, cuts).events)).toEqual(expectedPipeline);
    }
  });
});

describe('RespDecoder: large and deep input', () => {
  it('decodes a 10 MB bulk string fed in 64 KB chunks', () => {
    const size = 10 * 1024 * 1024;
    const payload = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i++) payload[i] = 97 + (i % 26);
    payload.write('€', size - 3, 'utf8'); // a multi-byte character at the very end
    const wire = bytes(`$${size}\r\n`, payload, '\r\n', '+after\r\n');
    const cuts: number[] = [];
    for (let c = 65536; c < wire.length; c += 65536) cuts.push(c);

    const stringSink = decodeCut(wire, cuts);
    expect(stringSink.events).toHaveLength(2);
    const s = stringSink.events[0]!.value as string;
    expect(typeof s).toBe('string');
    expect(s.length).toBe(size - 2);
    expect(s === payload.toString('utf8')).toBe(true);
    expect(stringSink.events[1]!.value).toBe('after');

    const bufferSink = decodeCut(wire, cuts, true);
    expect((bufferSink.events[0]!.value as Buffer).equals(payload)).toBe(true);
  });

  it('decodes a 100,000-deep nested array without overflowing the stack', () => {
    const depth = 100_000;
    const wire = bytes('*1\r\n'.repeat(depth), ':7\r\n', '+next\r\n');
    for (const sink of [decodeWhole(wire), decodeCut(wire, [1000, 1001, 200_000, 399_999])]) {
      expect(sink.events).toHaveLength(2);
      let v: RespValue = sink.events[0]!.value;
      let levels = 0;
      while (Array.isArray(v) && v.length === 1) {
        v = v[0]!;
        levels++;
      }
      expect(levels).toBe(depth);
      expect(v).toBe(7);
      expect(sink.events[1]!.value).toBe('next');
    }
  });

  it('decodes a 100,000-deep nested map/push mix', () => {
    const depth = 100_000;
    const wire = bytes('>1\r\n', '%1\r\n+k\r\n'.repeat(depth), '_\r\n');
    const sink = decodeCut(wire, [7, 65536, 131072]);
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]!.kind).toBe('push');
    let v: RespValue = (sink.events[0]!.value as RespValue[])[0]!;
    for (let i = 0; i < depth; i++) v = (v as Record<string, RespValue>)['k']!;
    expect(v).toBeNull();
  });

  it('decodes a 1 MB array of small bulk strings, whole and in 64 KB chunks', () => {
    const parts: string[] = [];
    const values: string[] = [];
    let size = 0;
    for (let i = 0; size < 1024 * 1024; i++) {
      const v = `value:${String(i).padStart(10, '0')}`; // 16 bytes
      values.push(v);
      parts.push(`$${v.length}\r\n${v}\r\n`);
      size += v.length + 5;
    }
    const wire = bytes(`*${values.length}\r\n`, parts.join(''));
    const cuts: number[] = [];
    for (let c = 65536; c < wire.length; c += 65536) cuts.push(c);
    for (const sink of [decodeWhole(wire), decodeCut(wire, cuts)]) {
      expect(sink.events).toHaveLength(1);
      expect(sink.events[0]!.value).toEqual(values);
    }
    const buffers = decodeCut(wire, cuts, true).events[0]!.value as Buffer[];
    expect(buffers.map((b) => b.toString())).toEqual(values);
  });
});

describe('RespDecoder: malformed input', () => {
  const MALFORMED: Array<[string, string]> = [
    ['unknown type byte', '?foo\r\n'],
    ['unknown type byte after a valid frame', '+OK\r\nhello\r\n'],
    ['non-numeric bulk length', '$abc\r\n'],
    ['non-numeric array length', '*1x\r\n'],
    ['empty length', '$\r\n'],
    ['negative bulk length', '$-2\r\n'],
    ['negative array length', '*-5\r\n'],
    ['null map length', '%-1\r\n'],
    ['null push length', '>-1\r\n'],
    ['missing CRLF after bulk payload', '$3\r\nfooXY'],
    ['LF instead of CRLF after bulk payload', '$3\r\nfoo\n\r\n'],
    ['bulk longer than announced', '$2\r\nfoo\r\n'],
    ['bad boolean', '#x\r\n'],
    ['boolean too long', '#tt\r\n'],
    ['bad integer', ':12a\r\n'],
    ['empty integer', ':\r\n'],
    ['sign only integer', ':-\r\n'],
    ['integer too long', ':123456789012345678901234567890\r\n'],
    ['CR not followed by LF', '+OK\rX\n'],
    ['CR not followed by LF in a length', '$3\rX'],
    ['bad double', ',abc\r\n'],
    ['empty double', ',\r\n'],
    ['hex double', ',0x10\r\n'],
    ['bad big number', '(12x\r\n'],
    ['empty big number', '(\r\n'],
    ['null with content', '_x\r\n'],
    ['verbatim too short', '=2\r\nab\r\n'],
    ['verbatim without colon', '=6\r\ntxtabc\r\n'],
    ['streamed bulk string', '$?\r\n;4\r\nHell\r\n;0\r\n'],
    ['streamed aggregate', '*?\r\n:1\r\n.\r\n'],
    ['stream chunk', ';4\r\nHell\r\n'],
    ['stream end', '.\r\n'],
    ['bulk length too large', '$99999999999999999\r\n'],
    ['malformed nested element', '*2\r\n:1\r\n$x\r\n'],
  ];

  it.each(MALFORMED)('%s → ProtocolError (whole, split, byte by byte)', (_name, input) => {
    const wire = Buffer.from(input, 'latin1');
    expect(() => decodeWhole(wire)).toThrow(ProtocolError);
    for (let cut = 1; cut < wire.length; cut++) expect(() => decodeCut(wire, [cut])).toThrow(ProtocolError);
    expect(() => decodeBytewise(wire)).toThrow(ProtocolError);
  });

  it('names the problem and the byte offset, not the data', () => {
    const decoder = new RespDecoder(new Collector());
    decoder.write(Buffer.from('+OK\r\n'));
    let error: unknown;
    try {
      decoder.write(Buffer.from(':secret\r\n'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe('ERR_REDIS_PROTOCOL');
    expect((error as Error).message).toMatch(/invalid integer at byte offset 6/);
    expect((error as Error).message).not.toContain('secret');
  });

  it.each(MALFORMED)('%s: after reset() a valid frame decodes', (_name, input) => {
    const sink = new Collector();
    const decoder = new RespDecoder(sink);
    expect(() => decoder.write(Buffer.from(input, 'latin1'))).toThrow(ProtocolError);
    decoder.reset();
    decoder.write(Buffer.from('*2\r\n$3\r\nfoo\r\n:1\r\n'));
    expect(canonEvents(sink.events.slice(-1))).toEqual(['reply [s"foo",n1]']);
  });

  it('reset() drops partial state (open aggregate, partial bulk, partial line)', () => {
    for (const partial of ['*3\r\n:1\r\n', '$10\r\nabc', ':12', '*2\r\n$5\r\nab', '|1\r\n+a\r\n']) {
      const sink = new Collector();
      const decoder = new RespDecoder(sink);
      decoder.write(Buffer.from(partial));
      decoder.reset();
      decoder.write(Buffer.from('+OK\r\n'));
      expect(canonEvents(sink.events)).toEqual(['reply s"OK"']);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Randomized property test: random RESP trees, serialized by a test-only serializer, fed at random
// split points, must decode to the values they were generated from.

describe('RespDecoder: randomized property test', () => {
  interface Frame {
    wire: Buffer[];
    /** Canonical expected value in string mode and in buffer mode. */
    str: string;
    buf: string;
    kind: 'reply' | 'error' | 'push';
  }

  function gen(rnd: () => number, seedDepth: number) {
    const int = (n: number) => Math.floor(rnd() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
    const chars = ['a', 'b', 'z', '0', ' ', ':', 'é', '€', '😀', '日', '\r', '\n', '\t', '"', '\\', '\u0000'];
    const lineChars = chars.filter((c) => c !== '\r' && c !== '\n');
    const text = (from: readonly string[], max: number) => Array.from({ length: int(max) }, () => pick(from)).join('');
    const enc = (s: string) => Buffer.from(s, 'utf8');
    const strVal = (s: string) => ({ str: 's' + JSON.stringify(s), buf: 'b<' + enc(s).toString('hex') + '>' });
    const errVal = (msg: string) => {
      const e = canonErr(msg);
      return { str: e, buf: e };
    };
    let keyCounter = 0;

    function canonErr(msg: string): string {
      const m = /^(MOVED|ASK) (\d+) (\S+)$/.exec(msg);
      if (m) return `err:${m[1] === 'MOVED' ? 'MovedError' : 'AskError'}:${JSON.stringify(msg)}@${m[2]}/${m[3]}`;
      return `err:ReplyError:${JSON.stringify(msg)}`;
    }

    function attribute(): Buffer[] {
      return [enc(`|1\r\n+attr\r\n*1\r\n:${int(100)}\r\n`)];
    }

    /** A value; `depth` bounds nesting. */
    function value(depth: number, top = false): { wire: Buffer[]; str: string; buf: string } {
      const leafKinds = 14;
      const k = depth > 0 && rnd() < 0.3 ? leafKinds + int(4) : int(leafKinds);
      const prefix = rnd() < 0.05 ? attribute() : [];
      const out = (wire: Array<string | Buffer>, v: { str: string; buf: string }) => ({
        wire: [...prefix, ...wire.map((w) => (typeof w === 'string' ? enc(w) : w))],
        ...v,
      });
      switch (k) {
        case 0: {
          const s = text(lineChars, 12);
          return out([`+${s}\r\n`], strVal(s));
        }
        case 1: {
          const s = text(chars, 20);
          return out([`$${enc(s).length}\r\n${s}\r\n`], strVal(s));
        }
        case 2: {
          const b = Buffer.from(Array.from({ length: int(40) }, () => int(256)));
          return out([`$${b.length}\r\n`, b, '\r\n'], { str: 's' + JSON.stringify(b.toString('utf8')), buf: 'b<' + b.toString('hex') + '>' });
        }
        case 3: {
          const n = int(2) ? int(1000) - 500 : Math.floor((rnd() - 0.5) * 2 * Number.MAX_SAFE_INTEGER);
          return out([`:${n}\r\n`], { str: 'n' + String(n + 0), buf: 'n' + String(n + 0) });
        }
        case 4: {
          const n = pick([0.5, -2.25, 1e300, -1e-300, 3.141592653589793, 100, Infinity, -Infinity, NaN, rnd() * 1e6]);
          const t = Number.isNaN(n) ? 'nan' : n === Infinity ? 'inf' : n === -Infinity ? '-inf' : String(n);
          return out([`,${t}\r\n`], { str: 'n' + String(n), buf: 'n' + String(n) });
        }
        case 5: {
          const digits = Array.from({ length: 1 + int(40) }, () => int(10)).join('');
          const b = BigInt((rnd() < 0.5 ? '-' : '') + digits);
          return out([`(${b}\r\n`], { str: 'big' + b, buf: 'big' + b });
        }
        case 6: {
          const t = rnd() < 0.5;
          return out([`#${t ? 't' : 'f'}\r\n`], { str: String(t), buf: String(t) });
        }
        case 7:
          return out([pick(['_\r\n', '$-1\r\n', '*-1\r\n'])], { str: 'null', buf: 'null' });
        case 8: {
          const msg = pick(['ERR ' + text(lineChars, 10), `MOVED ${int(16384)} 10.0.0.${int(9)}:7000`, `ASK ${int(16384)} h:1`, 'WRONGTYPE x']);
          return out([`-${msg}\r\n`], errVal(msg));
        }
        case 9: {
          const msg = 'SYNTAX ' + text(chars, 10);
          return out([`!${enc(msg).length}\r\n${msg}\r\n`], errVal(msg));
        }
        case 10: {
          const s = text(chars, 15);
          return out([`=${enc(s).length + 4}\r\ntxt:${s}\r\n`], strVal(s));
        }
        case 11:
          return out(['$0\r\n\r\n'], strVal(''));
        case 12:
          return out([pick(['*0\r\n', '~0\r\n'])], { str: '[]', buf: '[]' });
        case 13:
          return out(['%0\r\n'], { str: '{}', buf: '{}' });
        default: {
          const n = 1 + int(5);
          const kids = Array.from({ length: n }, () => value(depth - 1));
          if (k === leafKinds + 2) {
            // map with distinct string keys (bulk or simple)
            const keys = kids.map(() => `k${keyCounter++}${text(lineChars, 3)}`);
            const wire: Buffer[] = [enc(`%${n}\r\n`)];
            kids.forEach((kid, i) => {
              const key = keys[i]!;
              wire.push(enc(rnd() < 0.5 ? `+${key}\r\n` : `$${enc(key).length}\r\n${key}\r\n`), ...kid.wire);
            });
            // Buffer mode: keys are the latin1 text of their bytes.
            const keyText = (key: string, m: 'str' | 'buf') => (m === 'str' ? key : enc(key).toString('latin1'));
            const body = (m: 'str' | 'buf') => '{' + kids.map((kid, i) => JSON.stringify(keyText(keys[i]!, m)) + ':' + kid[m]).join(',') + '}';
            return { wire: [...prefix, ...wire], str: body('str'), buf: body('buf') };
          }
          // Nested pushes are out of band (delivered apart, not elements): see the fast-check tests.
          const t = k === leafKinds ? '*' : k === leafKinds + 1 ? '~' : '*';
          return {
            wire: [...prefix, enc(`${t}${n}\r\n`), ...kids.flatMap((kid) => kid.wire)],
            str: '[' + kids.map((kid) => kid.str).join(',') + ']',
            buf: '[' + kids.map((kid) => kid.buf).join(',') + ']',
          };
        }
      }
    }

    function frame(): Frame {
      const r = rnd();
      if (r < 0.1) {
        const n = 1 + int(4);
        const kids = Array.from({ length: n }, () => value(seedDepth - 1));
        return {
          wire: [...(rnd() < 0.1 ? attribute() : []), enc(`>${n}\r\n`), ...kids.flatMap((kid) => kid.wire)],
          str: '[' + kids.map((kid) => kid.str).join(',') + ']',
          buf: '[' + kids.map((kid) => kid.buf).join(',') + ']',
          kind: 'push',
        };
      }
      const v = value(seedDepth, true);
      return { ...v, kind: v.str.startsWith('err:') ? 'error' : 'reply' };
    }
    return frame;
  }

  it('random frames at random split points decode to what was serialized', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rnd = prng(seed);
      const frame = gen(rnd, 4);
      const frames = Array.from({ length: 40 }, () => frame());
      const modes = frames.map(() => rnd() < 0.5);
      const wire = Buffer.concat(frames.flatMap((f) => f.wire));
      const expected = frames.map((f, i) => `${f.kind} ${modes[i] ? f.buf : f.str}`);
      const modeOf = (_isPush: boolean, call: number) => modes[call]!;

      for (let round = 0; round < 10; round++) {
        const cuts: number[] = [];
        let at = 0;
        while (true) {
          at += rnd() < 0.3 ? 1 + Math.floor(rnd() * 4) : 1 + Math.floor(rnd() * 200);
          if (at >= wire.length) break;
          cuts.push(at);
        }
        const sink = decodeCut(wire, cuts, modeOf);
        const got = canonEvents(sink.events);
        if (got.join('\n') !== expected.join('\n')) expect({ seed, round, got }).toEqual({ seed, round, got: expected });
        expect(sink.wantCalls).toEqual(frames.map((f) => f.kind === 'push'));
      }
    }
  });
});
