import type { CacheableOptions } from '../interfaces/cache-options.interface.js';
import { addCacheOperation } from './cache-operation.util.js';
import { validateCacheableOptions } from './cache-options.validator.js';

/**
 * Caches the method's result in Redis: a hit returns the stored value without calling the
 * method; a miss calls it once per key in this process (concurrent callers share the call) and
 * stores the result for `ttl` ms. Works on any provider or controller method that is `async` or
 * returns an Observable (the emitted values are cached and replayed). Stored falsy values
 * (`0`, `''`, `false`, `null`, `undefined`) are hits. Redis failures never fail the call.
 *
 * @example
 * ```ts
 * @Cacheable({ key: 'product:{id}', ttl: 30_000, namespace: 'products' })
 * async findOne(id: string): Promise<Product> { … }
 * ```
 */
export function Cacheable(options: CacheableOptions = {}): MethodDecorator {
  validateCacheableOptions('Cacheable', options);
  return (target, methodName, descriptor) => addCacheOperation('Cacheable', target, methodName, descriptor, { kind: 'cacheable', options });
}
