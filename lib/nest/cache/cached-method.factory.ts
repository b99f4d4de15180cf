import type { Logger } from '@nestjs/common';
import { defer, from, isObservable, lastValueFrom, mergeMap, toArray, type Observable } from 'rxjs';
import type { CacheOperation } from '../decorators/cache-operation.util.js';
import type { CacheEvictOptions, CacheableOptions } from '../interfaces/cache-options.interface.js';
import { CacheKeyError, compileKey, parameterNames, type KeyBuilder, type KeyContext } from './cache-key.js';
import type { RedisCacheService } from './redis-cache.service.js';

type AnyMethod = (this: unknown, ...args: unknown[]) => unknown;

/** `promise`: the wrapper returns a Promise; `observable`: it returns an Observable replaying the emitted values. @internal */
export type CachedMethodMode = 'promise' | 'observable';

/** @internal */
export interface CachedMethodPlan {
  readonly original: AnyMethod;
  readonly operations: readonly CacheOperation[];
  readonly cache: RedisCacheService;
  readonly className: string;
  readonly methodName: string;
  readonly mode: CachedMethodMode;
  readonly logger: Logger;
}

interface Producer {
  readonly kind: 'cacheable' | 'put';
  readonly key: KeyBuilder;
  readonly options: CacheableOptions;
}

interface Evictor {
  readonly keys: readonly KeyBuilder[];
  readonly options: CacheEvictOptions;
}

function compileEvictor(options: CacheEvictOptions): Evictor {
  const keys = options.key === undefined ? [] : Array.isArray(options.key) ? options.key : [options.key];
  return { keys: keys.map((key) => compileKey(key)), options };
}

/**
 * Builds the function the explorer installs on an instance in place of a decorated method.
 * Evictions with `beforeInvocation` run first; then `@Cacheable` (lookup, single-flight call,
 * store) or `@CachePut`'s refresh (store unless the entry changed meanwhile); then the other
 * evictions, only when the call succeeded. Read and write failures are logged by the service and
 * never fail the call; a failed evict rejects the call with a CacheEvictError unless
 * `cache.onEvictError` is `'log'`. A key that cannot be built for a call bypasses the cache for
 * that call (warned).
 * @internal
 */
export function createCachedMethod(plan: CachedMethodPlan): AnyMethod {
  const { original, cache, className, methodName, logger } = plan;
  const paramNames = parameterNames(original);
  const producerOp = plan.operations.find((op) => op.kind !== 'evict');
  const producer: Producer | undefined = producerOp
    ? { kind: producerOp.kind, key: compileKey(producerOp.options.key), options: producerOp.options }
    : undefined;
  const evictors = plan.operations.flatMap((op) => (op.kind === 'evict' ? [compileEvictor(op.options)] : []));
  const before = evictors.filter((e) => e.options.beforeInvocation);
  const after = evictors.filter((e) => !e.options.beforeInvocation);

  const keyOf = (builder: KeyBuilder, context: KeyContext): string | undefined => {
    try {
      return builder(context);
    } catch (error) {
      if (!(error instanceof CacheKeyError)) throw error;
      logger.warn(`${className}.${methodName}: ${error.message}; this call bypasses the cache`);
      return undefined;
    }
  };

  const evict = async (list: readonly Evictor[], context: KeyContext): Promise<void> => {
    for (const evictor of list) {
      if (evictor.options.allEntries) await cache.evictNamespace(evictor.options.namespace);
      const keys = evictor.keys.map((builder) => keyOf(builder, context)).filter((key): key is string => key !== undefined);
      if (keys.length > 0) await cache.evict(keys, { namespace: evictor.options.namespace });
    }
  };

  const allows = (context: KeyContext): boolean =>
    !producer?.options.condition || (producer.options.condition as (...args: unknown[]) => boolean)(...context.args);
  const keeps = (result: unknown): boolean => !producer?.options.unless || !(producer.options.unless as (r: unknown) => boolean)(result);

  /** Runs the whole operation; `call` runs the method and resolves with what is cached. */
  const run = async (context: KeyContext, call: () => Promise<unknown>): Promise<unknown> => {
    await evict(before, context);
    let result: unknown;
    const key = producer && allows(context) ? keyOf(producer.key, context) : undefined;
    const options = { namespace: producer?.options.namespace, ttl: producer?.options.ttl };
    if (producer?.kind === 'cacheable' && key !== undefined) {
      result = await cache.wrap(key, call, { ...options, unless: (value) => !keeps(value) });
    } else if (producer?.kind === 'put' && key !== undefined) {
      result = await cache.refresh(key, call, { ...options, unless: (value) => !keeps(value) });
    } else {
      result = await call();
    }
    await evict(after, context);
    return result;
  };

  if (plan.mode === 'observable') {
    return function (this: unknown, ...args: unknown[]): Observable<unknown> {
      const ctx: KeyContext = { args, paramNames, className, methodName };
      return defer(() => from(run(ctx, () => collect(original.apply(this, args))))).pipe(mergeMap((values) => from(values as unknown[])));
    };
  }
  let warned = false;
  return function (this: unknown, ...args: unknown[]): Promise<unknown> {
    const ctx: KeyContext = { args, paramNames, className, methodName };
    return run(ctx, async () => {
      const value = original.apply(this, args);
      if (!isObservable(value)) return value;
      if (!warned) {
        warned = true;
        logger.warn(
          `${className}.${methodName} returned an Observable but is cached as a Promise (no design:returntype metadata): ` +
            'compile with emitDecoratorMetadata and declare the Observable return type',
        );
      }
      return lastValueFrom(value);
    });
  };
}

/** Every value an Observable (or a Promise / plain value) yields, as an array. */
async function collect(value: unknown): Promise<unknown[]> {
  if (isObservable(value)) return lastValueFrom(value.pipe(toArray()));
  return [await value];
}
