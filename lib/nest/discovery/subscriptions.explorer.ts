import { settleWithin } from '../lifecycle/settle-within.js';
import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import type { RedisCluster } from '../../engine/cluster/cluster-client.js';
import { keySlot } from '../../engine/commands/key-slot.js';
import type { PubSubListener } from '../../engine/pubsub/listeners.js';
import { ErrorLogThrottle } from '../events/error-log-throttle.js';
import { getPubSubHandlers, type PubSubHandlerMetadata, type PubSubKind } from '../pubsub/pubsub-handler.metadata.js';
import {
  handlerFailedMessage,
  handlerFailureSummaryMessage,
  scopedHandlerMessage,
  subscribeFailedMessage,
  unknownHandlerClusterMessage,
  unsubscribeFailedMessage,
} from '../pubsub/pubsub.messages.js';
import type { ResolvedLoggingOptions } from '../redis-cluster-options.resolver.js';
import { DEFAULT_CLUSTER_NAME, LOGGER_CONTEXT } from '../redis-cluster.constants.js';
import { getClusterEventsToken } from '../redis-cluster.tokens.js';
import { PubSubBootstrapError } from './pubsub-bootstrap.error.js';

const retryNote = '; retrying in the background until it succeeds';

const subscribeRecoveredMessage = (cluster: string, where: string, kind: string, failures: number): string =>
  `Redis cluster "${cluster}": the ${kind} subscription of ${where} succeeded after ${failures} failed attempt(s)`;

/** @internal The injection token of a cluster's pub/sub subscriptions explorer. */
export function getSubscriptionsExplorerToken(name: string = DEFAULT_CLUSTER_NAME): string {
  return `RedisSubscriptionsExplorer:${name}`;
}

type Listener = PubSubListener<string> | PubSubListener<Buffer>;
type SubscribeCall = (names: string[], listener: Listener, buffers: boolean) => Promise<void>;
type UnsubscribeCall = (names: string[], listener: Listener) => Promise<void>;

/** A decorated method of one instance, with the subscriptions that target this explorer's cluster. */
interface DiscoveredHandler {
  readonly instance: object;
  readonly method: string;
  /** `ClassName.method`, for logs. */
  readonly where: string;
  readonly entries: readonly PubSubHandlerMetadata[];
}

/** One subscribe call: channels of one kind and delivery mode (and one slot when sharded), one listener. */
interface ActiveSubscription {
  readonly kind: PubSubKind;
  readonly names: string[];
  readonly buffers: boolean;
  readonly listener: Listener;
  readonly where: string;
  /** Every decorator of the group is `optional: true`. */
  readonly optional: boolean;
  /** Settles (never rejects) when the first subscribe call did: with its error, or undefined when it succeeded. */
  readonly started: Promise<unknown>;
  /** Subscribed on the server (the first call or a retry succeeded). */
  subscribed: boolean;
  /** Failed calls in a row (for the back-off). */
  failures: number;
  retryTimer: NodeJS.Timeout | undefined;
}

/** Back-off of a failed subscription's retries, in ms: 500 doubling up to 30 s. */
function retryDelay(failures: number): number {
  return Math.min(500 * 2 ** Math.min(Math.max(0, failures - 1), 10), 30_000);
}

const KIND_LABEL: Record<PubSubKind, string> = { sharded: 'sharded', channel: 'channel', pattern: 'pattern' };

/** Per application instance: warnings already logged (shared by the explorers of every cluster). */
const warned = new WeakMap<object, Set<string>>();

function warnOnce(instance: object, key: string): boolean {
  const seen = warned.get(instance) ?? new Set<string>();
  warned.set(instance, seen);
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Subscribes the `@OnShardedMessage` / `@OnMessage` / `@OnPatternMessage` handlers of one cluster:
 * discovers them in `onModuleInit` (DiscoveryService + MetadataScanner over providers and
 * controllers; request-scoped and transient providers are warned about and skipped), subscribes
 * in `onApplicationBootstrap` (awaited, so messages published once `app.init()` resolved are
 * delivered; with `lazyConnect` in the background), and removes exactly its own listeners in
 * `beforeApplicationShutdown`, while the client is still open. A subscription that fails at
 * bootstrap fails `app.init()` ({@link PubSubBootstrapError}) unless its decorators say
 * `optional: true`; optional ones (and, with `lazyConnect`, every one) are retried in the
 * background until subscribed, and listed by `failedSubscriptions()` meanwhile. Handler errors
 * (thrown or rejected) are logged, throttled per handler, and never end a subscription.
 * @internal
 */
export class RedisSubscriptionsExplorer implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly failures: ErrorLogThrottle;
  private handlers: DiscoveredHandler[] = [];
  private active: ActiveSubscription[] = [];
  private stopping = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly moduleRef: ModuleRef,
    private readonly cluster: RedisCluster,
    private readonly clusterName: string,
    private readonly options: { readonly lazyConnect: boolean; readonly shutdownTimeout: number; readonly logging: ResolvedLoggingOptions },
  ) {
    this.failures = new ErrorLogThrottle(options.logging.errorSummaryInterval, (line) =>
      this.logger.error(
        line.suppressed === 0 ? line.message : handlerFailureSummaryMessage(clusterName, line.key, line.suppressed, line.windowMs, line.message),
      ),
    );
  }

  onModuleInit(): void {
    this.handlers = [];
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      if (!wrapper.instance || wrapper.isAlias || typeof wrapper.instance !== 'object') continue;
      this.explore(wrapper);
    }
  }

  /**
   * Subscribes every handler. Without `lazyConnect`, waits for the subscriptions and rejects with
   * {@link PubSubBootstrapError} when one that is not `optional` failed (optional ones are retried
   * in the background); with `lazyConnect`, returns at once and retries failures in the background.
   */
  async onApplicationBootstrap(): Promise<void> {
    const started: ActiveSubscription[] = [];
    for (const handler of this.handlers) started.push(...this.subscribe(handler));
    this.active.push(...started);
    if (this.options.lazyConnect) return;
    const outcomes = await Promise.all(started.map((subscription) => subscription.started));
    const fatal = started.filter((subscription, i) => outcomes[i] !== undefined && !subscription.optional);
    if (fatal.length > 0) {
      const cause = outcomes[started.indexOf(fatal[0]!)];
      throw new PubSubBootstrapError(
        this.clusterName,
        fatal.map((s) => ({ handler: s.where, kind: KIND_LABEL[s.kind], channels: s.names.length })),
        { cause },
      );
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const active = this.active;
    this.active = [];
    for (const subscription of active) this.cancelRetry(subscription);
    await Promise.all(active.map((subscription) => this.unsubscribe(subscription)));
    this.failures.dispose();
  }

  onApplicationShutdown(): void {
    this.stopping = true;
    for (const subscription of this.active) this.cancelRetry(subscription);
    this.failures.dispose();
  }

  /**
   * Handlers whose subscription failed and is being retried in the background (`optional` ones,
   * or any with `lazyConnect`): `ClassName.method`, kind and channel count. Empty when every
   * subscription is in place. Used by the health check (`degraded` while not empty).
   */
  failedSubscriptions(): Array<{ readonly handler: string; readonly kind: string; readonly channels: number }> {
    return this.active
      .filter((s) => !s.subscribed && s.failures > 0)
      .map((s) => ({ handler: s.where, kind: KIND_LABEL[s.kind], channels: s.names.length }));
  }

  private explore(wrapper: InstanceWrapper): void {
    const instance = wrapper.instance as object;
    const proto = Object.getPrototypeOf(instance) as object | null;
    if (!proto) return;
    const className = instance.constructor?.name ?? 'Object';
    for (const method of this.scanner.getAllMethodNames(proto)) {
      const entries = getPubSubHandlers((proto as Record<string, unknown>)[method]).filter((entry) =>
        this.owns(instance, entry, className, method),
      );
      if (entries.length === 0) continue;
      if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
        if (warnOnce(instance, `scope:${method}`)) this.logger.warn(scopedHandlerMessage(className, method));
        continue;
      }
      this.handlers.push({ instance, method, where: `${className}.${method}`, entries });
    }
  }

  /** True when the entry targets this explorer's cluster; warns (once) about clusters nobody registered. */
  private owns(instance: object, entry: PubSubHandlerMetadata, className: string, method: string): boolean {
    const target = entry.cluster ?? DEFAULT_CLUSTER_NAME;
    if (target === this.clusterName) return true;
    if (!this.isRegistered(target) && warnOnce(instance, `cluster:${method}:${target}`)) {
      this.logger.warn(unknownHandlerClusterMessage(className, method, target));
    }
    return false;
  }

  private isRegistered(cluster: string): boolean {
    try {
      this.moduleRef.get(getClusterEventsToken(cluster), { strict: false });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Starts the subscriptions of one method: one listener per kind and delivery mode, one call per
   * kind and mode, and for sharded channels one call per slot (SSUBSCRIBE takes channels of one
   * slot). A channel repeated over several decorators is subscribed once.
   */
  private subscribe(handler: DiscoveredHandler): ActiveSubscription[] {
    const groups = new Map<string, { kind: PubSubKind; buffers: boolean; names: Set<string>; optional: boolean }>();
    for (const entry of handler.entries) {
      for (const name of entry.names) {
        const key = `${entry.kind}:${entry.buffers}:${entry.kind === 'sharded' ? keySlot(name) : ''}`;
        const group = groups.get(key) ?? { kind: entry.kind, buffers: entry.buffers, names: new Set<string>(), optional: true };
        group.names.add(name);
        // A channel of the group that some decorator requires makes the whole call required.
        group.optional &&= entry.optional === true;
        groups.set(key, group);
      }
    }
    const listeners = new Map<string, Listener>();
    return [...groups.values()].map(({ kind, buffers, names, optional }) => {
      const listenerKey = `${kind}:${buffers}`;
      const listener = listeners.get(listenerKey) ?? ((message: string | Buffer, channel: string, pattern?: string) => this.deliver(handler, message, channel, pattern));
      listeners.set(listenerKey, listener);
      const list = [...names];
      let settle!: (outcome: unknown) => void;
      const started = new Promise<unknown>((resolve) => (settle = resolve));
      const subscription: ActiveSubscription = { kind, names: list, buffers, listener, where: handler.where, optional, started, subscribed: false, failures: 0, retryTimer: undefined };
      void this.attempt(subscription).then(settle);
      return subscription;
    });
  }

  /**
   * One subscribe call of a subscription: resolves with its error (logged), or undefined when it
   * succeeded. A failure that will not fail the bootstrap (optional, lazyConnect, or a retry) is
   * retried on a back-off timer until it succeeds or the app shuts down. Never rejects.
   */
  private async attempt(subscription: ActiveSubscription): Promise<unknown> {
    try {
      await this.subscribeCall(subscription.kind)(subscription.names, subscription.listener, subscription.buffers);
      if (this.stopping) return undefined;
      subscription.subscribed = true;
      if (subscription.failures > 0 && this.options.logging.errors) {
        this.logger.log(subscribeRecoveredMessage(this.clusterName, subscription.where, KIND_LABEL[subscription.kind], subscription.failures));
      }
      subscription.failures = 0;
      return undefined;
    } catch (error) {
      if (this.stopping) return error;
      subscription.failures++;
      const retried = subscription.optional || this.options.lazyConnect || subscription.failures > 1;
      // The first failure is logged; retries that fail again are not (the recovery is).
      if (this.options.logging.errors && subscription.failures === 1) {
        this.logger.error(subscribeFailedMessage(this.clusterName, subscription.where, KIND_LABEL[subscription.kind], error) + (retried ? retryNote : ''));
      }
      if (retried) this.scheduleRetry(subscription);
      return error;
    }
  }

  private scheduleRetry(subscription: ActiveSubscription): void {
    if (this.stopping || subscription.retryTimer !== undefined) return;
    subscription.retryTimer = setTimeout(() => {
      subscription.retryTimer = undefined;
      if (!this.stopping) void this.attempt(subscription);
    }, retryDelay(subscription.failures));
    subscription.retryTimer.unref?.();
  }

  private cancelRetry(subscription: ActiveSubscription): void {
    if (subscription.retryTimer !== undefined) clearTimeout(subscription.retryTimer);
    subscription.retryTimer = undefined;
  }

  private async unsubscribe(subscription: ActiveSubscription): Promise<void> {
    // A subscribe still waiting for the connection (lazyConnect) does not hold up shutdown for
    // long: past shutdownTimeout the listener is removed anyway, and close() releases the rest.
    await settleWithin(subscription.started, this.options.shutdownTimeout);
    try {
      await this.unsubscribeCall(subscription.kind)(subscription.names, subscription.listener);
    } catch (error) {
      if (this.options.logging.errors) {
        this.logger.warn(unsubscribeFailedMessage(this.clusterName, subscription.where, KIND_LABEL[subscription.kind], error));
      }
    }
  }

  /** Calls the handler on its instance (so a wrapper installed there, e.g. by the cache explorer, runs). */
  private deliver(handler: DiscoveredHandler, message: string | Buffer, channel: string, pattern: string | undefined): void {
    try {
      const method = (handler.instance as Record<string, unknown>)[handler.method] as (...args: unknown[]) => unknown;
      const result = method.call(handler.instance, message, channel, pattern);
      if (isThenable(result)) result.then(undefined, (error: unknown) => this.failed(handler, error));
    } catch (error) {
      this.failed(handler, error);
    }
  }

  private failed(handler: DiscoveredHandler, error: unknown): void {
    if (this.options.logging.errors) this.failures.report(handler.where, handlerFailedMessage(this.clusterName, handler.where, error));
  }

  private subscribeCall(kind: PubSubKind): SubscribeCall {
    const cluster = this.cluster;
    if (kind === 'sharded') return (names, listener, buffers) => cluster.sSubscribe(names, listener as PubSubListener<string>, buffers as false);
    if (kind === 'channel') return (names, listener, buffers) => cluster.subscribe(names, listener as PubSubListener<string>, buffers as false);
    return (names, listener, buffers) => cluster.pSubscribe(names, listener as PubSubListener<string>, buffers as false);
  }

  private unsubscribeCall(kind: PubSubKind): UnsubscribeCall {
    const cluster = this.cluster;
    if (kind === 'sharded') return (names, listener) => cluster.sUnsubscribe(names, listener);
    if (kind === 'channel') return (names, listener) => cluster.unsubscribe(names, listener);
    return (names, listener) => cluster.pUnsubscribe(names, listener);
  }
}
