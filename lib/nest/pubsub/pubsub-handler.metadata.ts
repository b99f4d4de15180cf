import { ConfigError } from '../../engine/errors/base.error.js';
import type { PubSubHandlerOptions } from '../interfaces/pubsub-options.interface.js';
import { checkName } from '../redis-cluster-options.resolver.js';

/** Metadata key of the subscriptions stored by `@OnShardedMessage`, `@OnMessage` and `@OnPatternMessage`. */
export const PUBSUB_HANDLERS_METADATA = 'nest-redis-cluster:pubsub-handlers';

/**
 * The kind of a subscription: `sharded` (SSUBSCRIBE on the slot's master), `channel` (SUBSCRIBE)
 * or `pattern` (PSUBSCRIBE).
 * @internal
 */
export type PubSubKind = 'sharded' | 'channel' | 'pattern';

/** One pub/sub decorator on a method, as stored in metadata. @internal */
export interface PubSubHandlerMetadata {
  readonly kind: PubSubKind;
  /** Channels (or patterns), de-duplicated, in the order given. */
  readonly names: readonly string[];
  /** Target cluster; undefined means the default one. */
  readonly cluster: string | undefined;
  readonly buffers: boolean;
  /** A failure at bootstrap does not fail `app.init()` (retried in the background). */
  readonly optional?: boolean;
}

const OPTION_KEYS = new Set(['cluster', 'buffers', 'optional']);

function checkNames(decorator: string, value: unknown, what: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((name) => typeof name === 'string' && name !== '')) {
    throw new ConfigError(`@${decorator}.${what}`, `must be a non-empty string or a non-empty array of non-empty strings`);
  }
  return [...new Set(list as string[])];
}

function checkOptions(decorator: string, options: unknown): PubSubHandlerOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new ConfigError(`@${decorator}`, 'options must be an object');
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new ConfigError(`@${decorator}.${key}`, 'is not a known option');
  }
  const { cluster, buffers, optional } = options as Record<string, unknown>;
  if (cluster !== undefined) checkName(cluster, `@${decorator}.cluster`);
  if (buffers !== undefined && typeof buffers !== 'boolean') throw new ConfigError(`@${decorator}.buffers`, 'must be a boolean');
  if (optional !== undefined && typeof optional !== 'boolean') throw new ConfigError(`@${decorator}.optional`, 'must be a boolean');
  return options as PubSubHandlerOptions;
}

/** The pub/sub handlers of a (prototype) method, or an empty list. @internal */
export function getPubSubHandlers(method: unknown): readonly PubSubHandlerMetadata[] {
  if (typeof method !== 'function') return [];
  return (Reflect.getOwnMetadata(PUBSUB_HANDLERS_METADATA, method) as PubSubHandlerMetadata[] | undefined) ?? [];
}

/**
 * Builds a method decorator that appends one subscription to the method's metadata (so one
 * method may carry several). Options are checked when the class is defined. Metadata only: the
 * method itself is left as it is.
 * @internal
 */
export function pubSubHandlerDecorator(decorator: string, kind: PubSubKind, what: string, names: unknown, options: unknown): MethodDecorator {
  const list = checkNames(decorator, names, what);
  const { cluster, buffers, optional } = checkOptions(decorator, options);
  const entry: PubSubHandlerMetadata = { kind, names: list, cluster, buffers: buffers ?? false, ...(optional ? { optional: true } : {}) };
  return (target, methodName, descriptor) => {
    const method = descriptor.value as unknown;
    if (typeof method !== 'function') {
      throw new Error(`@${decorator} on ${target.constructor?.name ?? 'class'}.${String(methodName)}: only methods can be decorated`);
    }
    // A new array each time: the cache decorators copy metadata references onto their forwarder.
    Reflect.defineMetadata(PUBSUB_HANDLERS_METADATA, [...getPubSubHandlers(method), entry], method);
    return descriptor;
  };
}
