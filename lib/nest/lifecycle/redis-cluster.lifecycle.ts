import { inspect } from 'node:util';
import { settleWithin } from './settle-within.js';
import type { BeforeApplicationShutdown, OnApplicationShutdown } from '@nestjs/common';
import { createCluster, type RedisCluster } from '../../engine/cluster/cluster-client.js';
import type { HealthReport } from '../../engine/cluster/health-report.js';
import { RedisClusterEventLogger } from '../events/redis-cluster-event.logger.js';
import type { RedisClusterEvents } from '../events/redis-cluster-events.service.js';
import type { ResolvedModuleOptions } from '../redis-cluster-options.resolver.js';
import { connectedMessage, shutdownTimeoutMessage } from '../redis-cluster.messages.js';
import { connectWithinDeadline } from './cluster-connector.js';

/**
 * Where a cluster is in the application's life:
 * `created` (client built, no socket) → `connecting` (bootstrap) → `running` →
 * `shutting-down` (from `beforeApplicationShutdown`: readiness reports down, commands still work)
 * → `closed` (from `onApplicationShutdown`: every socket and timer released).
 */
export type RedisClusterState = 'created' | 'connecting' | 'running' | 'shutting-down' | 'closed';

/**
 * Owns one cluster client inside a Nest application: creates it (no socket), connects it within
 * `bootstrapTimeout`, logs and publishes its events, turns readiness down in
 * `beforeApplicationShutdown`, drains and closes it in `onApplicationShutdown`.
 * @internal
 */
export class RedisClusterLifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  readonly cluster: RedisCluster;
  private current: RedisClusterState = 'created';
  private readonly eventLogger: RedisClusterEventLogger;
  private closing: Promise<void> | undefined;

  constructor(
    readonly options: ResolvedModuleOptions,
    private readonly events: RedisClusterEvents,
  ) {
    this.cluster = createCluster(options.engine);
    this.eventLogger = new RedisClusterEventLogger(options.name, options.logging);
    this.eventLogger.attach(this.cluster);
    events.attach(this.cluster);
    // A refused re-authentication with rotated credentials (the connection keeps its identity).
    if (options.logging.errors) this.cluster.on('reauthentication-error', (error) => this.eventLogger.warn(`Redis cluster "${options.name}": ${error.message}`));
  }

  /**
   * `util.inspect` and JSON show the name and state only: the options (and the passwords or
   * providers in them) are never printed, whatever the depth.
   */
  [inspect.custom](): string {
    return `RedisClusterLifecycle { name: '${this.options.name}', state: '${this.current}' }`;
  }

  toJSON(): { name: string; state: RedisClusterState } {
    return { name: this.options.name, state: this.current };
  }

  /** Name of the cluster. */
  get name(): string {
    return this.options.name;
  }

  get state(): RedisClusterState {
    return this.current;
  }

  /** True from `beforeApplicationShutdown` on: a readiness probe must report down. */
  get isShuttingDown(): boolean {
    return this.current === 'shutting-down' || this.current === 'closed';
  }

  /**
   * Connects (unless `lazyConnect`) and resolves with the client once the topology is loaded and
   * the slots are covered. On failure every socket and timer is released before it rejects.
   */
  async start(): Promise<RedisCluster> {
    if (this.options.lazyConnect) {
      this.current = 'running';
      return this.cluster;
    }
    this.current = 'connecting';
    const started = Date.now();
    let abandoned: Promise<void> | undefined;
    try {
      await connectWithinDeadline(this.cluster, {
        name: this.name,
        timeoutMs: this.options.bootstrapTimeout,
        seeds: this.options.seeds,
        onRetry: (message) => this.eventLogger.warn(message),
        onAbandoned: (attempt) => {
          abandoned = attempt;
        },
      });
    } catch (error) {
      this.current = 'closed';
      // Released once an abandoned connect attempt has settled (destroy() would also end it).
      const release = () => this.release(() => this.cluster.destroy());
      if (abandoned) void abandoned.then(release, release);
      else await release();
      throw error;
    }
    this.current = 'running';
    this.eventLogger.info(connectedMessage(this.name, this.cluster.getPrimaries().length, Date.now() - started));
    return this.cluster;
  }

  /**
   * The engine's health report. With `lazyConnect`, a check before the first command opens the
   * connections (waiting for them within the same deadline).
   */
  async healthReport(timeoutMs: number): Promise<HealthReport> {
    const started = Date.now();
    if (this.current === 'running' && this.options.lazyConnect && !this.cluster.isOpen) {
      await settleWithin(this.cluster.connect(), timeoutMs);
    }
    return this.cluster.healthReport({ timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)) });
  }

  beforeApplicationShutdown(): void {
    if (this.current !== 'closed') this.current = 'shutting-down';
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Drains in-flight commands up to `shutdownTimeout`, then destroys what is left. Idempotent. */
  close(): Promise<void> {
    if (this.current === 'closed' && !this.closing) return Promise.resolve();
    this.current = 'closed';
    this.closing ??= this.release(() => this.drain());
    return this.closing;
  }

  private async drain(): Promise<void> {
    const timeoutMs = this.options.shutdownTimeout;
    const started = Date.now();
    // With lazyConnect a first command may have started connect(): let it finish (within the
    // shutdown timeout) so that the command is drained by close() rather than refused.
    await settleWithin(this.cluster.whenConnectSettled(), Math.max(timeoutMs, 1));
    const remaining = timeoutMs - (Date.now() - started);
    if (remaining > 0 && (await settleWithin(this.cluster.close(), remaining)) !== 'timeout') return;
    if (timeoutMs > 0) this.eventLogger.warn(shutdownTimeoutMessage(this.name, timeoutMs));
    // Ends a close() still draining too: every socket and timer is released.
    await this.cluster.destroy();
  }

  private async release(closeClient: () => Promise<void>): Promise<void> {
    try {
      await closeClient();
    } finally {
      this.eventLogger.dispose();
      this.events.complete();
    }
  }
}
