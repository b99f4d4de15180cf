import { ConfigError } from 'nest-redis-cluster';
import { CacheKeyError, compileKey, parameterNames, parseKeyTemplate, stableStringify, type KeyContext } from '../../lib/nest/cache/cache-key.js';

const ctx = (args: unknown[], paramNames: string[] = []): KeyContext => ({ args, paramNames, className: 'Catalog', methodName: 'find' });

describe('cache keys', () => {
  it('fills positional placeholders with the arguments', () => {
    expect(compileKey('product:{0}:{1}')(ctx(['42', 7]))).toBe('product:42:7');
  });

  it('fills named placeholders from parameter names, then from properties of the first argument', () => {
    expect(compileKey('product:{id}')(ctx(['42'], ['id']))).toBe('product:42');
    expect(compileKey('product:{id}:{lang}')(ctx([{ id: 9, lang: 'fr' }], ['query']))).toBe('product:9:fr');
  });

  it('follows property paths and renders objects as JSON with sorted keys', () => {
    expect(compileKey('user:{0.profile.id}')(ctx([{ profile: { id: 'u1' } }]))).toBe('user:u1');
    expect(compileKey('q:{filter}')(ctx([{ b: 2, a: 1 }], ['filter']))).toBe('q:{"a":1,"b":2}');
    expect(compileKey('d:{0}')(ctx([new Date('2026-01-02T03:04:05.000Z')]))).toBe('d:2026-01-02T03:04:05.000Z');
  });

  it('keeps literal braces written twice (hash tags)', () => {
    expect(compileKey('{{user:{0}}}:profile')(ctx(['7']))).toBe('{user:7}:profile');
  });

  it('renders falsy arguments as they are', () => {
    expect(compileKey('k:{0}:{1}:{2}:{3}')(ctx([0, '', false, null]))).toBe('k:0::false:null');
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

  it('defaults to ClassName.method plus the arguments as JSON', () => {
    expect(compileKey(undefined)(ctx([]))).toBe('Catalog.find');
    expect(compileKey(undefined)(ctx(['a', { y: 1, x: 2 }]))).toBe('Catalog.find:["a",{"x":2,"y":1}]');
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

  it('stringifies deterministically', () => {
    expect(stableStringify({ b: [{ d: 1, c: 2 }], a: 1n })).toBe('{"a":"1","b":[{"c":2,"d":1}]}');
  });
});
