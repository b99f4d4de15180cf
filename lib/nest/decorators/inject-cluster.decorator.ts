import { Inject } from '@nestjs/common';
import { getCacheServiceToken, getClusterEventsToken, getClusterToken } from '../redis-cluster.tokens.js';

/**
 * Injects a cluster client. Without a name, the default cluster (which plain constructor
 * injection of `RedisCluster` also gives); with a name, the cluster registered under it.
 *
 * @example
 * constructor(@InjectCluster() redis: RedisCluster, @InjectCluster('sessions') sessions: RedisCluster) {}
 */
export const InjectCluster = (name?: string): PropertyDecorator & ParameterDecorator => Inject(getClusterToken(name));

/** Injects the `RedisClusterEvents` stream of a cluster (the default one without a name). */
export const InjectClusterEvents = (name?: string): PropertyDecorator & ParameterDecorator => Inject(getClusterEventsToken(name));

/** Injects the `RedisCacheService` of a cluster (the default one without a name). */
export const InjectRedisCache = (name?: string): PropertyDecorator & ParameterDecorator => Inject(getCacheServiceToken(name));
