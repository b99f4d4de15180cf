import { Logger, type OnModuleInit } from '@nestjs/common';
import type { DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { Observable } from 'rxjs';
import { CacheKeyConflictError, SyncCachedMethodError } from '../cache/cache.errors.js';
import { createCachedMethod, type CachedMethodMode } from '../cache/cached-method.factory.js';
import type { RedisCacheService } from '../cache/redis-cache.service.js';
import { copyMetadata, ORIGINAL_METHOD, WRAPPED_FORWARDER, getCacheOperations, type CacheOperation } from '../decorators/cache-operation.util.js';
import { DEFAULT_CLUSTER_NAME, LOGGER_CONTEXT } from '../redis-cluster.constants.js';
import { requestScopedMessage, unknownCacheClusterMessage } from '../redis-cluster.messages.js';
import { getCacheServiceToken } from '../redis-cluster.tokens.js';

type AnyMethod = ((this: unknown, ...args: unknown[]) => unknown) & { [ORIGINAL_METHOD]?: AnyMethod; [WRAPPED_FORWARDER]?: AnyMethod };

/** Per application instance: methods already warned about, so that each warning is logged once. */
const warned = new WeakMap<object, Set<string>>();

function warnOnce(instance: object, key: string): boolean {
  const seen = warned.get(instance) ?? new Set<string>();
  warned.set(instance, seen);
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

/**
 * Whether the wrapper must return an Observable or a Promise: decided once, before any call, from
 * the method itself (an `async` method returns a Promise) or its emitted `design:returntype`
 * (Promise or Observable). Anything else may be synchronous: caching it would change what it
 * returns, so it is refused (SyncCachedMethodError naming class and method).
 */
function returnMode(proto: object, methodName: string, original: AnyMethod, className: string): CachedMethodMode {
  if (original.constructor?.name === 'AsyncFunction') return 'promise';
  const declared = Reflect.getMetadata('design:returntype', proto, methodName) as { name?: string } | undefined;
  if (declared === Observable || declared?.name === 'Observable') return 'observable';
  if (declared === Promise || declared?.name === 'Promise') return 'promise';
  throw new SyncCachedMethodError(className, methodName);
}

/**
 * Installs the cache wrappers of one cluster at bootstrap (`onModuleInit`): walks every provider
 * and controller (DiscoveryService + MetadataScanner), and for each method whose
 * `@Cacheable`/`@CachePut`/`@CacheEvict` target this cluster, defines the wrapper as an own
 * property of the instance (the prototype keeps the decorated method; the wrapper carries its
 * metadata). Request-scoped providers are warned about and skipped; transient providers get a
 * wrapper on each instance.
 * @internal
 */
export class RedisCacheExplorer implements OnModuleInit {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  /** `namespace|Class.method` of each method cached under a default key, and its class. */
  private readonly defaultKeys = new Map<string, object>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly moduleRef: ModuleRef,
    private readonly cache: RedisCacheService,
    private readonly clusterName: string,
  ) {}

  onModuleInit(): void {
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      if (!wrapper.instance || wrapper.isAlias || typeof wrapper.instance !== 'object') continue;
      this.explore(wrapper);
    }
  }

  private explore(wrapper: InstanceWrapper): void {
    const sample = wrapper.instance as object;
    const proto = Object.getPrototypeOf(sample) as object | null;
    if (!proto) return;
    const className = sample.constructor?.name ?? 'Object';
    const decorated = this.scanner
      .getAllMethodNames(proto)
      .map((name) => ({ name, operations: getCacheOperations((proto as Record<string, unknown>)[name]) }))
      .filter(({ name, operations }) => operations.length > 0 && this.owns(sample, operations, className, name));
    if (decorated.length === 0) return;
    for (const { name, operations } of decorated) {
      returnMode(proto, name, (proto as Record<string, AnyMethod>)[name]![ORIGINAL_METHOD] ?? (proto as Record<string, AnyMethod>)[name]!, className);
      this.claimDefaultKeys(proto, className, name, operations);
    }
    if (!wrapper.isDependencyTreeStatic()) {
      for (const { name: method } of decorated) {
        if (warnOnce(sample, `scope:${method}`)) this.logger.warn(requestScopedMessage(className, method));
      }
      return;
    }
    const instances = wrapper.isTransient
      ? wrapper.getStaticTransientInstances().flatMap((entry) => (entry?.instance ? [entry.instance as object] : []))
      : [sample];
    for (const instance of instances) {
      for (const { name: method, operations } of decorated) this.install(instance, proto, method, operations, className);
    }
  }

  /** Refuses two different classes whose default keys (`Class.method:…`) would collide in one namespace. */
  private claimDefaultKeys(proto: object, className: string, method: string, operations: readonly CacheOperation[]): void {
    for (const op of operations) {
      if (op.kind === 'evict' || op.options.key !== undefined) continue;
      const namespace = op.options.namespace ?? this.cache.options.namespace;
      const claim = `${namespace}|${className}.${method}`;
      const owner = this.defaultKeys.get(claim);
      if (owner !== undefined && owner !== proto) throw new CacheKeyConflictError(`${className}.${method}`, namespace);
      this.defaultKeys.set(claim, proto);
    }
  }

  /** True when the operations target this explorer's cluster; warns about clusters nobody registered. */
  private owns(instance: object, operations: readonly CacheOperation[], className: string, method: string): boolean {
    const target = operations[0]!.options.cluster ?? DEFAULT_CLUSTER_NAME;
    if (target === this.clusterName) return true;
    if (!this.isRegistered(target) && warnOnce(instance, `cluster:${method}`)) {
      this.logger.warn(unknownCacheClusterMessage(className, method, target));
    }
    return false;
  }

  private isRegistered(cluster: string): boolean {
    try {
      this.moduleRef.get(getCacheServiceToken(cluster), { strict: false });
      return true;
    } catch {
      return false;
    }
  }

  private install(instance: object, proto: object, method: string, operations: readonly CacheOperation[], className: string): void {
    const forwarder = (proto as Record<string, AnyMethod>)[method]!;
    const existing = Object.getOwnPropertyDescriptor(instance, method)?.value as AnyMethod | undefined;
    if (existing?.[WRAPPED_FORWARDER] === forwarder) return;
    const original = forwarder[ORIGINAL_METHOD] ?? forwarder;
    const cached = createCachedMethod({
      original,
      operations,
      cache: this.cache,
      className,
      methodName: method,
      mode: returnMode(proto, method, original, className),
      logger: this.logger,
    }) as AnyMethod;
    Object.defineProperty(cached, 'name', { value: original.name });
    copyMetadata(forwarder, cached);
    cached[WRAPPED_FORWARDER] = forwarder;
    Object.defineProperty(instance, method, { value: cached, configurable: true, writable: true, enumerable: false });
  }
}
