import { ConfigError } from 'nest-redis-cluster';
import { CacheKeyError, compileKey, parameterNames, parseKeyTemplate, type KeyContext } from '../../lib/nest/cache/cache-key.js';
import { canonicalValue } from '../../lib/nest/cache/key-encoding.js';

const ctx = (args: unknown[], paramNames: string[] = []): KeyContext => ({ args, paramNames, className: 'Catalog', methodName: 'find' });

describe('cache keys', () => {
  it('fills positional placeholders with the arguments', () => {
    expect(compileKey('product:{0}:{1}')(ctx(['42', 7]))).toBe('product:42:~n7');
  });

  it('fills named placeholders from parameter names, then from properties of the first argument', () => {
    expect(compileKey('product:{id}')(ctx(['42'], ['id']))).toBe('product:42');
    expect(compileKey('product:{id}:{lang}')(ctx([{ id: 9, lang: 'fr' }], ['query']))).toBe('product:~n9:fr');
  });

  it('follows property paths and encodes objects canonically (sorted keys, no braces)', () => {
    expect(compileKey('user:{0.profile.id}')(ctx([{ profile: { id: 'u1' } }]))).toBe('user:u1');
    const filter = compileKey('q:{filter}')(ctx([{ b: 2, a: 1 }], ['filter']));
    expect(filter).toBe(compileKey('q:{filter}')(ctx([{ a: 1, b: 2 }], ['filter'])));
    expect(filter).not.toMatch(/[{}]/);
    expect(compileKey('d:{0}')(ctx([new Date('2026-01-02T03:04:05.000Z')]))).toBe(`d:~d${Date.parse('2026-01-02T03:04:05.000Z')}`);
  });

  it('encodes template values so that separators inside values cannot collide', () => {
    const build = compileKey('user:{0}:{1}');
    expect(build(ctx(['a:b', 'c']))).not.toBe(build(ctx(['a', 'b:c'])));
    expect(build(ctx(['1', 'x']))).not.toBe(build(ctx([1, 'x'])));
    expect(build(ctx([1n, 'x']))).not.toBe(build(ctx(['1', 'x'])));
    expect(build(ctx([null, 'x']))).not.toBe(build(ctx(['null', 'x'])));
    expect(build(ctx(['~null', 'x']))).not.toBe(build(ctx([null, 'x'])));
    expect(compileKey('p:{0}')(ctx(['a b/é{x}']))).toBe('p:a%20b%2F%C3%A9%7Bx%7D');
  });

  it('refuses templates whose placeholders are not separated by a separator character', () => {
    expect(() => parseKeyTemplate('{0}{1}')).toThrow(expect.objectContaining({ option: 'key' }));
    expect(() => parseKeyTemplate('{0}-{1}')).toThrow(/separates two placeholders/);
    expect(() => parseKeyTemplate('{0}a_b{1}')).toThrow(ConfigError);
    expect(() => parseKeyTemplate('{0}:{1}')).not.toThrow();
    expect(() => parseKeyTemplate('a-{0}-b')).not.toThrow();
  });

  it('keeps literal braces written twice (hash tags)', () => {
    expect(compileKey('{{user:{0}}}:profile')(ctx(['7']))).toBe('{user:7}:profile');
  });

  it('renders falsy arguments as they are', () => {
    expect(compileKey('k:{0}:{1}:{2}:{3}')(ctx([0, '', false, null]))).toBe('k:~n0::~false:~null');
  });

  it('throws CacheKeyError for a placeholder that is undefined or unknown in a call', () => {
    expect(() => compileKey('p:{0}')(ctx([]))).toThrow(CacheKeyError);
    expect(() => compileKey('p:{nope}')(ctx(['x'], ['id']))).toThrow(/neither a parameter of Catalog.find/);
  });

  it('rejects malformed templates with a ConfigError naming "key"', () => {
    for (const bad of ['p:{', 'p:}', 'p:{a b}', 'p:{}', 'p:{0..x}']) {
      expect(() => parseKeyTemplate(bad)).toThrow(ConfigError);
    }
    expect(() => compileKey('')).toThrow(expect.objectContaining({ option: 'key' }));
  });

  it('uses a key function and checks its result', () => {
    const build = compileKey(((id: string, page: number) => `list:${id}:${page}`) as (...args: never[]) => string);
    expect(build(ctx(['a', 2]))).toBe('list:a:2');
    expect(() => compileKey((() => '') as () => string)(ctx([]))).toThrow(CacheKeyError);
  });

  it('defaults to ClassName.method plus the canonical arguments', () => {
    expect(compileKey(undefined)(ctx([]))).toBe('Catalog.find:[]');
    expect(compileKey(undefined)(ctx(['a', { y: 1, x: 2 }]))).toBe('Catalog.find:["a",("x":2,"y":1)]');
    const key = compileKey(undefined);
    expect(key(ctx([undefined]))).not.toBe(key(ctx([null])));
    expect(key(ctx([1n]))).not.toBe(key(ctx(['1'])));
    expect(key(ctx([new Map([[1, 2]])]))).not.toBe(key(ctx([new Map([[1, 3]])])));
    expect(key(ctx([new Set(['a'])]))).not.toBe(key(ctx([new Set(['b'])])));
    expect(key(ctx([Buffer.from('a')]))).not.toBe(key(ctx([Buffer.from('b')])));
    expect(key(ctx([new Date(1)]))).not.toBe(key(ctx([new Date(2)])));
  });

  it('bypasses (CacheKeyError) arguments that cannot be keyed by content', () => {
    const key = compileKey(undefined);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    class Opaque {
      #secret = 1;
      get secret(): number {
        return this.#secret;
      }
    }
    for (const bad of [Symbol('s'), () => 1, cyclic, new Opaque()]) expect(() => key(ctx([bad]))).toThrow(CacheKeyError);
    class Dto {
      constructor(readonly id: string) {}
    }
    expect(key(ctx([new Dto('a')]))).not.toBe(key(ctx([new Dto('b')])));
    expect(key(ctx([new URL('http://a/x')]))).not.toBe(key(ctx([new URL('http://a/y')])));
  });

  it('reads parameter names of methods, arrows, defaults, rest and destructuring', () => {
    class Sample {
      async find(id: string, lang = 'en', { page }: { page: number } = { page: 1 }, ...rest: unknown[]) {
        return [id, lang, page, rest];
      }
    }
    expect(parameterNames(Sample.prototype.find as (...args: never[]) => unknown)).toEqual(['id', 'lang', '', 'rest']);
    expect(parameterNames(((a: number, b: (x: number) => number = (x) => x) => a + b(1)) as (...args: never[]) => unknown)).toEqual(['a', 'b']);
    expect(parameterNames((() => 1) as () => number)).toEqual([]);
  });

  it('encodes deterministically', () => {
    expect(canonicalValue({ b: [{ d: 1, c: 2 }], a: 1n })).toBe('("a":1n,"b":[("c":2,"d":1)])');
  });
});
