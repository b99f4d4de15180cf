import type { CacheableOptions } from '../interfaces/cache-options.interface.js';
import { addCacheOperation } from './cache-operation.util.js';
import { validateCacheableOptions } from './cache-options.validator.js';

/**
 * Always calls the method, then stores its result under the key (refreshing the entry that
 * `@Cacheable` reads). A failed write is logged and counted; the call still succeeds.
 *
 * @example
 * ```ts
 * @CachePut({ key: 'product:{0.id}', namespace: 'products' })
 * async update(product: Product): Promise<Product> { … }
 * ```
 */
export function CachePut(options: CacheableOptions = {}): MethodDecorator {
  validateCacheableOptions('CachePut', options);
  return (target, methodName, descriptor) => addCacheOperation('CachePut', target, methodName, descriptor, { kind: 'put', options });
}
