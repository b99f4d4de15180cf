import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { compileKey, type KeyContext } from '../../lib/nest/cache/cache-key.js';
import { decodeEntry, encodeEntry } from '../../lib/nest/cache/cache-entry.codec.js';
import { devalueSerializer } from '../../lib/nest/cache/value-serializer.js';

const ctx = (args: unknown[]): KeyContext => ({ args, paramNames: [], className: 'Catalog', methodName: 'find' });

/** Values a method argument may hold (no functions, symbols, cycles). */
const argument = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withBoxedValues: false,
  withNullPrototype: false,
  withSparseArray: false,
  withObjectString: true,
});
const tuple = fc.array(argument, { maxLength: 4 });

describe('cache keys are injective (property tests)', () => {
  it('default keys: two tuples share a key only if they are deeply equal', () => {
    const key = compileKey(undefined);
    fc.assert(
      fc.property(tuple, tuple, (a, b) => {
        if (key(ctx(a)) === key(ctx(b))) expect(isDeepStrictEqual(a, b)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('default keys: equal tuples (a structural clone) share a key, and keys hold no hash-tag braces', () => {
    const key = compileKey(undefined);
    fc.assert(
      fc.property(tuple, (a) => {
        const k = key(ctx(a));
        expect(key(ctx(structuredClone(a)))).toBe(k);
        expect(k).not.toMatch(/[{}]/);
      }),
      { numRuns: 1000 },
    );
  });

  it('default keys: sparse arrays share a key exactly when deeply equal (holes, undefined items and lengths told apart)', () => {
    const key = compileKey(undefined);
    // A small domain, so that equal and nearly equal arrays (a hole for an undefined, one more hole) are drawn often.
    const item = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer({ min: -1, max: 1 }), fc.sparseArray(fc.constant(undefined), { maxLength: 2 }));
    const sparse = fc.sparseArray(item, { maxLength: 4 });
    fc.assert(
      fc.property(sparse, sparse, (a, b) => {
        expect(key(ctx([a])) === key(ctx([b]))).toBe(isDeepStrictEqual(a, b));
      }),
      { numRuns: 5000 },
    );
    // [,] has length 1 (one hole), [,,] length 2, [1,,] length 2.
    // eslint-disable-next-line no-sparse-arrays
    const pairs: Array<[unknown[], unknown[]]> = [[[,], []], [[,,], [,]], [[,], [undefined]], [[1,,], [1]], [[[,]], [[]]]];
    for (const [a, b] of pairs) expect(key(ctx([a]))).not.toBe(key(ctx([b])));
  });

  it('default keys: near-collisions (same value, other type) differ', () => {
    const key = compileKey(undefined);
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.string()), (v) => {
        const variants = [v, String(v), typeof v === 'number' ? BigInt(v) : v, [v], { v }];
        const keys = new Set(variants.map((x) => key(ctx([x]))));
        expect(keys.size).toBe(new Set(variants.map((x) => canonicalType(x))).size);
      }),
    );
  });

  it('templates: distinct tuples of strings, numbers, bigints, booleans, null and objects give distinct keys', () => {
    const build = compileKey('user:{0}:{1}');
    const part = fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.bigInt(), fc.boolean(), fc.constant(null), fc.date({ noInvalidDate: true }), fc.dictionary(fc.string(), fc.string(), { noNullPrototype: true }), fc.array(fc.integer()));
    fc.assert(
      fc.property(part, part, part, part, (a, b, c, d) => {
        if (build(ctx([a, b])) === build(ctx([c, d]))) expect(isDeepStrictEqual([a, b], [c, d])).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('templates: strings with separators never collide (split points differ)', () => {
    const build = compileKey('user:{0}:{1}');
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ':', '%', '~', '{', '}', 'é') }), fc.string({ unit: fc.constantFrom('a', ':', '%', '~') }), fc.nat(6), (left, right, cut) => {
        const joined = left + right;
        const at = Math.min(cut, joined.length);
        const other = [joined.slice(0, at), joined.slice(at)];
        if (other[0] !== left) expect(build(ctx([left, right]))).not.toBe(build(ctx(other)));
      }),
    );
  });
});

function hasProtoKey(value: unknown, seen = new Set<unknown>()): boolean {
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  if (Object.prototype.hasOwnProperty.call(value, '__proto__')) return true;
  const inner = value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set ? [...value] : Object.values(value);
  return inner.some((item) => hasProtoKey(item, seen));
}

function hasInvalidDate(value: unknown, seen = new Set<unknown>()): boolean {
  if (value instanceof Date) return Number.isNaN(value.getTime());
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  const inner = value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set ? [...value] : Object.values(value);
  return inner.some((item) => hasInvalidDate(item, seen));
}

function canonicalType(x: unknown): string {
  return `${typeof x}:${Array.isArray(x) ? 'array' : ''}:${typeof x === 'object' ? JSON.stringify(x) : String(x)}`;
}

describe('cache values round-trip through the default serializer (property tests)', () => {
  const serializer = devalueSerializer();
  const value = fc.anything({
    maxDepth: 3,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withSparseArray: true,
    withNullPrototype: false,
    withBoxedValues: false,
    withObjectString: true,
  });

  it('whatever is stored is what a hit returns (deep strict equality)', () => {
    fc.assert(
      fc.property(value, (v) => {
        let entry: string;
        try {
          entry = encodeEntry(v, serializer);
        } catch {
          // The one refusal: devalue does not store objects with an own "__proto__" key (nothing is stored).
          expect(hasProtoKey(v)).toBe(true);
          return;
        }
        const found = decodeEntry(entry, serializer);
        expect(found.hit).toBe(true);
        // isDeepStrictEqual says Invalid Date !== Invalid Date (NaN times): compare those by their encoding.
        if (found.hit) expect(isDeepStrictEqual(found.value, v) || (hasInvalidDate(v) && serializer.serialize(found.value) === serializer.serialize(v))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('Buffers come back as Buffers, views only as their bytes, -0 and undefined as themselves', () => {
    const pool = Buffer.from('0123456789abcdef');
    const view = new Uint16Array(pool.buffer, pool.byteOffset + 2, 2);
    const sample = { buf: pool.subarray(3, 6), view, z: -0, u: undefined, n: null, big: 2n ** 70n, d: new Date(0), m: new Map([[{ k: 1 }, new Set([1])]]) };
    const text = serializer.serialize(sample);
    expect(text.length).toBeLessThan(400); // the 8 KiB pool is not dumped
    const back = serializer.deserialize(text) as typeof sample;
    expect(Buffer.isBuffer(back.buf)).toBe(true);
    expect(isDeepStrictEqual(back, { ...sample, view: new Uint16Array(view) })).toBe(true);
    expect(Object.is(back.z, -0)).toBe(true);
    expect('u' in back && back.u === undefined).toBe(true);
  });

  it('revives registered classes with their prototype and refuses other class instances', () => {
    class Product {
      constructor(
        readonly id: string,
        readonly price: bigint,
      ) {}
      label(): string {
        return `${this.id}:${this.price}`;
      }
    }
    class Unknown {
      x = 1;
    }
    const withClasses = devalueSerializer({ Product });
    const back = withClasses.deserialize(withClasses.serialize([new Product('a', 3n)])) as Product[];
    expect(back[0]).toBeInstanceOf(Product);
    expect(back[0]!.label()).toBe('a:3');
    expect(() => serializer.serialize(new Unknown())).toThrow();
    expect(() => devalueSerializer({ 'not a name': Product })).toThrow(expect.objectContaining({ option: 'cache.classes.not a name' }));
  });
});
