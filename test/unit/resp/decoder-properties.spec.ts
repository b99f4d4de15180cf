// Decoder limits and properties (fast-check): arbitrary RESP2/RESP3 values, serialized by a test-only
// encoder and fed in arbitrary chunkings, decode to the same value; pushes nested in aggregates are
// delivered out of band; arbitrary bytes never throw anything but a ProtocolError; announced
// lengths are bounded and never allocated up front; binary map keys stay distinct.
import fc from 'fast-check';
import { DEFAULT_MAX_BULK_LENGTH, RespDecoder } from '../../../lib/engine/resp/decoder.js';
import type { DecoderSink, RespValue } from '../../../lib/engine/resp/types.js';
import { ProtocolError } from '../../../lib/engine/errors/base.error.js';
import { Collector, type CollectedEvent } from './support/decoder-collector.js';

/** Feeds `wire` cut at `cuts` (sorted offsets) into a fresh decoder. */
function feed(wire: Buffer, cuts: number[], sink: DecoderSink, options?: { maxBulkLength?: number }): RespDecoder {
  const decoder = new RespDecoder(sink, options);
  let at = 0;
  for (const cut of [...cuts, wire.length]) {
    if (cut <= at) continue;
    decoder.write(wire.subarray(at, cut));
    at = cut;
  }
  return decoder;
}

/** A generated value: its wire bytes, the value the decoder must produce, and pushes nested in it (in wire order). */
interface Gen {
  wire: Buffer;
  value: RespValue;
  pushes: RespValue[][];
}

const crlf = '\r\n';
const b = (s: string | Buffer): Buffer => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s);
const lineText = fc.string({ maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, '_'));

/** String-mode leaves (the decoder returns strings). */
const leaf: fc.Arbitrary<Gen> = fc.oneof(
  lineText.map((s) => ({ wire: b(`+${s}${crlf}`), value: s, pushes: [] })),
  fc.string({ maxLength: 30 }).map((s) => ({ wire: Buffer.concat([b(`$${Buffer.byteLength(s)}${crlf}`), b(s), b(crlf)]), value: s, pushes: [] })),
  fc.integer().map((n) => ({ wire: b(`:${n}${crlf}`), value: n, pushes: [] })),
  fc.constantFrom<[string, RespValue]>(['_\r\n', null], ['$-1\r\n', null], ['*-1\r\n', null], ['#t\r\n', true], ['#f\r\n', false]).map(([w, v]) => ({ wire: b(w), value: v, pushes: [] })),
  fc.double({ noNaN: true }).map((n) => ({ wire: b(`,${Object.is(n, -0) ? '-0' : Number.isFinite(n) ? String(n) : n > 0 ? 'inf' : '-inf'}${crlf}`), value: n, pushes: [] })),
  fc.bigInt({ min: -(2n ** 100n), max: 2n ** 100n }).map((n) => ({ wire: b(`(${n}${crlf}`), value: n, pushes: [] })),
  fc.string({ maxLength: 20 }).map((s) => ({ wire: Buffer.concat([b(`=${Buffer.byteLength(s) + 4}${crlf}txt:`), b(s), b(crlf)]), value: s, pushes: [] })),
);

/** Values with aggregates (arrays, sets, maps with distinct keys) and pushes nested anywhere inside them. */
const { tree } = fc.letrec<{ tree: Gen; node: Gen; push: RespValue[] & { wire?: Buffer } }>((tie) => ({
  tree: fc.oneof({ maxDepth: 3, depthIdentifier: 'resp' }, leaf, tie('node')),
  node: fc.oneof(
    fc.record({ kids: fc.array(tie('tree'), { maxLength: 4 }), set: fc.boolean(), nested: fc.array(fc.tuple(fc.nat(4), tie('tree')), { maxLength: 2 }) }).map(({ kids, set, nested }) => {
      // Pushes nested between elements: not elements themselves.
      const parts: Buffer[] = [b(`${set ? '~' : '*'}${kids.length}${crlf}`)];
      const pushes: RespValue[][] = [];
      kids.forEach((kid, i) => {
        for (const [at, pushed] of nested) {
          if (at === i) {
            parts.push(b(`>2${crlf}+invalidate${crlf}`), pushed.wire);
            pushes.push(...pushed.pushes, ['invalidate', pushed.value]);
          }
        }
        parts.push(kid.wire);
        pushes.push(...kid.pushes);
      });
      return { wire: Buffer.concat(parts), value: kids.map((k) => k.value), pushes };
    }),
    fc.uniqueArray(fc.tuple(lineText, tie('tree')), { maxLength: 4, selector: ([k]) => k }).map((entries) => {
      const parts: Buffer[] = [b(`%${entries.length}${crlf}`)];
      const value = Object.create(null) as Record<string, RespValue>;
      const pushes: RespValue[][] = [];
      for (const [key, v] of entries) {
        parts.push(b(`+${key}${crlf}`), v.wire);
        value[key] = v.value;
        pushes.push(...v.pushes);
      }
      return { wire: Buffer.concat(parts), value, pushes };
    }),
  ),
  push: fc.constant([]),
}));

/** Arbitrary cut points for a wire of `length` bytes. */
const cutsFor = (length: number) => fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: Math.min(length, 40) }).map((c) => c.sort((x, y) => x - y));

describe('RespDecoder properties (fast-check)', () => {
  it('any value, fed in any chunking, decodes to itself; nested pushes come out of band, before their reply, in wire order', () => {
    fc.assert(
      fc.property(
        fc.array(tree, { minLength: 1, maxLength: 5 }).chain((frames) => {
          const wire = Buffer.concat(frames.map((f) => f.wire));
          return fc.tuple(fc.constant(frames), fc.constant(wire), cutsFor(wire.length));
        }),
        ([frames, wire, cuts]) => {
          const sink = new Collector();
          feed(wire, cuts, sink);
          const expected: CollectedEvent[] = [];
          for (const f of frames) {
            for (const p of f.pushes) expected.push({ kind: 'push', value: p });
            expected.push({ kind: 'reply', value: f.value });
          }
          expect(sink.events).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('binary values and binary map keys survive in buffer mode (keys as byte-exact latin1 text, never colliding)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.uint8Array({ maxLength: 12 }), { minLength: 1, maxLength: 6, selector: (k) => Buffer.from(k).toString('hex') }),
        fc.uint8Array({ maxLength: 40 }),
        (keys, payload) => {
          const parts: Buffer[] = [b(`%${keys.length}${crlf}`)];
          for (const k of keys) parts.push(b(`$${k.length}${crlf}`), Buffer.from(k), b(crlf), b(`$${payload.length}${crlf}`), Buffer.from(payload), b(crlf));
          const wire = Buffer.concat(parts);
          const sink = new Collector(true);
          feed(wire, [], sink);
          const map = sink.events[0]!.value as Record<string, Buffer>;
          expect(Object.keys(map)).toHaveLength(keys.length);
          for (const k of keys) {
            const text = Buffer.from(k).toString('latin1');
            expect(Buffer.from(text, 'latin1').equals(Buffer.from(k))).toBe(true);
            expect(Buffer.isBuffer(map[text])).toBe(true);
            expect(map[text]!.equals(Buffer.from(payload))).toBe(true);
          }
        },
      ),
    );
  });

  it('arbitrary bytes never throw anything but a ProtocolError, and a reset decoder decodes again', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, buffers) => {
        const sink = new Collector(buffers);
        const decoder = new RespDecoder(sink, { maxBulkLength: 1024 });
        try {
          decoder.write(Buffer.from(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
          decoder.reset();
        }
        const before = sink.events.length;
        decoder.reset();
        decoder.write(b(':7\r\n'));
        expect(sink.events.slice(before)).toEqual([{ kind: 'reply', value: 7 }]);
      }),
      { numRuns: 2000 },
    );
  });

  it('RESP-shaped noise (type bytes, digits, CRLF) never throws anything but a ProtocolError', () => {
    const token = fc.constantFrom('*', '%', '~', '>', '|', '$', '=', '!', ':', '+', '-', '_', '#', ',', '(', '1', '2', '0', '-1', '\r\n', 'a', 't', '9999999999');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), cutsFor(200), (tokens, cuts) => {
        const wire = b(tokens.join(''));
        try {
          feed(wire, cuts.filter((c) => c < wire.length), new Collector(), { maxBulkLength: 4096 });
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('RespDecoder limits', () => {
  it('a bulk longer than maxBulkLength is a ProtocolError as soon as its header is read', () => {
    const decoder = new RespDecoder(new Collector(), { maxBulkLength: 10 });
    expect(() => decoder.write(b('$11\r\n'))).toThrow(ProtocolError);
    const ok = new Collector();
    new RespDecoder(ok, { maxBulkLength: 10 }).write(b('$10\r\n0123456789\r\n'));
    expect(ok.events).toEqual([{ kind: 'reply', value: '0123456789' }]);
  });

  it('the default limit is 512 MiB (Redis proto-max-bulk-len): a 4 GiB header is refused', () => {
    expect(DEFAULT_MAX_BULK_LENGTH).toBe(512 * 1024 * 1024);
    const decoder = new RespDecoder(new Collector());
    expect(() => decoder.write(b('$4294967295\r\n'))).toThrow(/maxBulkLength/);
    expect(() => new RespDecoder(new Collector()).write(b(`$${512 * 1024 * 1024 + 1}\r\n`))).toThrow(ProtocolError);
  });

  it('a header announcing a large bulk allocates a small buffer; it grows as bytes arrive and the value is exact', () => {
    const allocated: number[] = [];
    const real = Buffer.allocUnsafe;
    const spy = (size: number): Buffer => {
      allocated.push(size);
      return real(size);
    };
    (Buffer as { allocUnsafe: (size: number) => Buffer }).allocUnsafe = spy;
    try {
      const sink = new Collector(true);
      const decoder = new RespDecoder(sink);
      const announced = 100 * 1024 * 1024;
      decoder.write(b(`$${announced}\r\n`));
      decoder.write(Buffer.alloc(10, 1));
      expect(Math.max(...allocated)).toBeLessThanOrEqual(64 * 1024);
      // The rest of a 3 MB value, then the end: exact bytes.
      allocated.length = 0;
      const small = new Collector(true);
      const d2 = new RespDecoder(small);
      const value = Buffer.from(Array.from({ length: 3 * 1024 * 1024 }, (_, i) => i % 251));
      const wire = Buffer.concat([b(`$${value.length}\r\n`), value, b(crlf)]);
      for (let at = 0; at < wire.length; at += 16 * 1024) d2.write(wire.subarray(at, Math.min(wire.length, at + 16 * 1024)));
      expect((small.events[0]!.value as Buffer).equals(value)).toBe(true);
      // Geometric growth: a handful of allocations, not one per chunk.
      expect(allocated.filter((n) => n >= 64 * 1024).length).toBeLessThan(12);
    } finally {
      (Buffer as { allocUnsafe: (size: number) => Buffer }).allocUnsafe = real;
    }
  });

  it('a push nested in an MGET reply is delivered as a push and is not counted as an element (redis/redis#8935)', () => {
    const sink = new Collector();
    const wire = b('*2\r\n$1\r\na\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n$1\r\nb\r\n+NEXT\r\n');
    for (let cut = 1; cut < wire.length; cut++) {
      const s = new Collector();
      feed(wire, [cut], s);
      expect(s.events).toEqual([
        { kind: 'push', value: ['invalidate', ['k']] },
        { kind: 'reply', value: ['a', 'b'] },
        { kind: 'reply', value: 'NEXT' },
      ]);
    }
    void sink;
  });

  it('a nested push gets its own buffer mode and the enclosing reply keeps its own', () => {
    const sink = new Collector((isPush) => isPush);
    feed(b('*2\r\n+a\r\n>1\r\n+p\r\n+b\r\n'), [], sink);
    expect(sink.events[0]).toEqual({ kind: 'push', value: [Buffer.from('p')] });
    expect(sink.events[1]).toEqual({ kind: 'reply', value: ['a', 'b'] });
  });

  it('an empty push nested in an aggregate is out of band too', () => {
    const sink = new Collector();
    feed(b('*1\r\n>0\r\n:1\r\n'), [], sink);
    expect(sink.events).toEqual([
      { kind: 'push', value: [] },
      { kind: 'reply', value: [1] },
    ]);
  });
});
