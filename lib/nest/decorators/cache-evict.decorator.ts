import type { CacheEvictOptions } from '../interfaces/cache-options.interface.js';
import { addCacheOperation } from './cache-operation.util.js';
import { validateEvictOptions } from './cache-options.validator.js';

/**
 * Evicts entries when the method succeeds (or before it runs with `beforeInvocation`): the
 * key(s) from `key`, or the whole namespace with `allEntries` (one INCR of the namespace version;
 * no SCAN). Several `@CacheEvict` may decorate one method. A failed eviction is logged and
 * counted; the call still succeeds.
 *
 * @example
 * ```ts
 * @CacheEvict({ key: 'product:{id}', namespace: 'products' })
 * async remove(id: string): Promise<void> { … }
 *
 * @CacheEvict({ namespace: 'products', allEntries: true })
 * async importCatalog(): Promise<void> { … }
 * ```
 */
export function CacheEvict(options: CacheEvictOptions = {}): MethodDecorator {
  validateEvictOptions(options);
  return (target, methodName, descriptor) => addCacheOperation('CacheEvict', target, methodName, descriptor, { kind: 'evict', options });
}
