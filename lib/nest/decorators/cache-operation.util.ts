import type { CacheEvictOptions, CacheableOptions } from '../interfaces/cache-options.interface.js';
import { CACHE_OPERATIONS_METADATA } from '../redis-cluster.constants.js';

/** One cache decorator on a method, as stored in metadata. @internal */
export type CacheOperation =
  | { readonly kind: 'cacheable'; readonly options: CacheableOptions }
  | { readonly kind: 'put'; readonly options: CacheableOptions }
  | { readonly kind: 'evict'; readonly options: CacheEvictOptions };

/** The method a forwarder stands for. @internal */
export const ORIGINAL_METHOD = Symbol.for('nest-redis-cluster:original-method');
/** On an installed wrapper: the prototype method (forwarder) it replaces on its instance. @internal */
export const WRAPPED_FORWARDER = Symbol.for('nest-redis-cluster:wrapped-forwarder');

type Method = ((...args: unknown[]) => unknown) & { [ORIGINAL_METHOD]?: Method; [WRAPPED_FORWARDER]?: Method };

/** Copies every reflect-metadata entry of `from` onto `to`. @internal */
export function copyMetadata(from: object, to: object): void {
  for (const key of Reflect.getOwnMetadataKeys(from)) {
    Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, from), to);
  }
}

/**
 * Puts a forwarder in place of the decorated method on the prototype. It calls the cache wrapper
 * the explorer installs on each instance at bootstrap (so callers that captured the prototype
 * method before bootstrap, like Nest's router, still reach the cache), and the original method
 * on instances without one (request-scoped providers, or before bootstrap). Decorators stay
 * declarative: the forwarder holds no client and no state.
 */
function createForwarder(original: Method, methodName: string | symbol): Method {
  const forwarder: Method = function (this: unknown, ...args: unknown[]): unknown {
    if (typeof this === 'object' && this !== null) {
      const own = Object.getOwnPropertyDescriptor(this, methodName)?.value as Method | undefined;
      if (own && own[WRAPPED_FORWARDER] === forwarder) return own.apply(this, args);
    }
    return original.apply(this, args);
  };
  Object.defineProperty(forwarder, 'name', { value: original.name });
  Object.defineProperty(forwarder, 'length', { value: original.length });
  forwarder[ORIGINAL_METHOD] = original;
  copyMetadata(original, forwarder);
  return forwarder;
}

/** The cache operations of a (prototype) method, or an empty list. @internal */
export function getCacheOperations(method: unknown): readonly CacheOperation[] {
  if (typeof method !== 'function') return [];
  return (Reflect.getOwnMetadata(CACHE_OPERATIONS_METADATA, method) as CacheOperation[] | undefined) ?? [];
}

function check(operations: readonly CacheOperation[], where: string): void {
  const producing = operations.filter((op) => op.kind !== 'evict');
  if (producing.length > 1) throw new Error(`${where}: use one of @Cacheable and @CachePut per method`);
  const clusters = new Set(operations.map((op) => op.options.cluster ?? ''));
  if (clusters.size > 1) throw new Error(`${where}: all cache decorators of one method must name the same cluster`);
}

/** Adds a cache operation to a method (creating its forwarder on first use). @internal */
export function addCacheOperation(
  decorator: string,
  target: object,
  methodName: string | symbol,
  descriptor: PropertyDescriptor,
  operation: CacheOperation,
): PropertyDescriptor {
  const where = `@${decorator} on ${target.constructor?.name ?? 'class'}.${String(methodName)}`;
  const current = descriptor.value as Method | undefined;
  if (typeof current !== 'function') throw new Error(`${where}: only methods can be decorated`);
  const forwarder = current[ORIGINAL_METHOD] ? current : createForwarder(current, methodName);
  const operations = [...getCacheOperations(forwarder), operation];
  check(operations, where);
  Reflect.defineMetadata(CACHE_OPERATIONS_METADATA, operations, forwarder);
  descriptor.value = forwarder;
  return descriptor;
}
