import { ConfigError } from '../../engine/errors/base.error.js';
import { parseKeyTemplate } from '../cache/cache-key.js';
import type { CacheEvictOptions, CacheKey, CacheableOptions } from '../interfaces/cache-options.interface.js';
import { checkName } from '../redis-cluster-options.resolver.js';

function checkKey(key: CacheKey | undefined, option: string): void {
  if (key === undefined || typeof key === 'function') return;
  if (typeof key !== 'string' || key === '') throw new ConfigError(option, 'must be a non-empty template string or a function of the arguments');
  parseKeyTemplate(key);
}

function checkCommon(decorator: string, options: { namespace?: string; cluster?: string }): void {
  if (typeof options !== 'object' || options === null) throw new ConfigError(`@${decorator}`, 'options must be an object');
  if (options.namespace !== undefined) checkName(options.namespace, `@${decorator}.namespace`);
  if (options.cluster !== undefined) checkName(options.cluster, `@${decorator}.cluster`);
}

/** Checks `@Cacheable`/`@CachePut` options when the class is defined. @internal */
export function validateCacheableOptions(decorator: string, options: CacheableOptions): void {
  checkCommon(decorator, options);
  checkKey(options.key, `@${decorator}.key`);
  if (options.ttl !== undefined && (!Number.isInteger(options.ttl) || options.ttl < 1)) {
    throw new ConfigError(`@${decorator}.ttl`, 'must be an integer of at least 1 (milliseconds)');
  }
  if (options.condition !== undefined && typeof options.condition !== 'function') throw new ConfigError(`@${decorator}.condition`, 'must be a function');
  if (options.unless !== undefined && typeof options.unless !== 'function') throw new ConfigError(`@${decorator}.unless`, 'must be a function');
}

/** Checks `@CacheEvict` options when the class is defined. @internal */
export function validateEvictOptions(options: CacheEvictOptions): void {
  checkCommon('CacheEvict', options);
  const keys = Array.isArray(options.key) ? options.key : [options.key];
  keys.forEach((key, i) => checkKey(key, Array.isArray(options.key) ? `@CacheEvict.key[${i}]` : '@CacheEvict.key'));
  if (!options.allEntries && options.key === undefined) throw new ConfigError('@CacheEvict.key', 'is required unless allEntries is true');
}
