import type { NodeConnection } from '../connection/node-connection.js';
import { ClientClosedError, QueueFullError, RedisClusterError } from '../errors/base.error.js';

/** No dedicated connection became free within `pool.acquireTimeout`. */
export class PoolTimeoutError extends RedisClusterError {
  readonly code = 'ERR_REDIS_POOL_TIMEOUT';
  /** True when the caller's own deadline passed, false when the pool's `acquireTimeout` did. */
  readonly atDeadline: boolean;

  constructor(message: string, atDeadline = false) {
    super(message);
    this.atDeadline = atDeadline;
  }
}

interface Waiter {
  resolve: (connection: NodeConnection) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
  /** The caller's deadline (epoch ms). */
  deadline: number;
}

/** Pool settings (see PoolOptions for units and defaults). @internal */
export interface NodePoolSettings {
  maxSize: number;
  minIdle: number;
  idleTimeout: number;
  acquireTimeout: number;
  /**
   * Most callers that may wait for a connection at once (beyond that, acquire rejects at once with
   * QueueFullError). The cluster passes the node's `maxQueueLength`. @default 10000
   */
  maxWaiters?: number;
}

const DEFAULT_MAX_WAITERS = 10_000;

/**
 * A bounded pool of dedicated connections to one node, for commands that must not share the
 * multiplexed connection: blocking commands (BLPOP, XREAD BLOCK…) and WATCH/MULTI sessions.
 * A connection is leased to one user at a time; a connection whose command timed out or whose
 * socket broke is destroyed instead of being returned.
 * @internal
 */
export class NodePool {
  private readonly idle: Array<{ connection: NodeConnection; timer: NodeJS.Timeout | undefined }> = [];
  private readonly waiters: Waiter[] = [];
  private readonly all = new Set<NodeConnection>();
  private closed = false;

  constructor(
    private readonly create: () => NodeConnection,
    private readonly settings: NodePoolSettings,
  ) {}

  /** Connections open or being opened (leased + idle). */
  get size(): number {
    return this.all.size;
  }

  get idleCount(): number {
    return this.idle.length;
  }

  /**
   * Leases a ready dedicated connection. When the pool is full, waits up to `acquireTimeout` ms
   * (0 = no limit of its own) and never past `deadline` (epoch ms, the caller's call deadline;
   * Infinity = none): then rejects with PoolTimeoutError. At most `maxWaiters` callers wait at once.
   */
  async acquire(deadline = Infinity): Promise<NodeConnection> {
    if (this.closed) throw new ClientClosedError();
    while (this.idle.length > 0) {
      const entry = this.idle.pop()!;
      if (entry.timer) clearTimeout(entry.timer);
      if (entry.connection.isReady) return entry.connection;
      this.discard(entry.connection);
    }
    if (this.all.size < this.settings.maxSize) {
      const connection = this.create();
      this.all.add(connection);
      connection.once('end', () => this.all.delete(connection));
      try {
        await connection.connect();
      } catch (error) {
        this.discard(connection);
        throw error;
      }
      if (this.closed) {
        this.discard(connection);
        throw new ClientClosedError();
      }
      return connection;
    }
    const maxWaiters = this.settings.maxWaiters ?? DEFAULT_MAX_WAITERS;
    if (this.waiters.length >= maxWaiters) throw new QueueFullError(maxWaiters);
    return new Promise<NodeConnection>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined, deadline };
      const ownLimit = this.settings.acquireTimeout > 0 ? Date.now() + this.settings.acquireTimeout : Infinity;
      const until = Math.min(ownLimit, deadline);
      if (until !== Infinity) {
        const byDeadline = deadline < ownLimit;
        waiter.timer = setTimeout(() => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(
            new PoolTimeoutError(
              byDeadline
                ? `No dedicated connection became free before the command's deadline (pool.maxSize ${this.settings.maxSize})`
                : `No dedicated connection became free within ${this.settings.acquireTimeout} ms (pool.acquireTimeout, pool.maxSize ${this.settings.maxSize})`,
              byDeadline,
            ),
          );
        }, Math.max(0, until - Date.now()));
      }
      this.waiters.push(waiter);
    });
  }

  /** Callers waiting for a connection now. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * acquire(), but rejects with PoolTimeoutError at `deadline` (epoch ms) even while a connection
   * is still being opened; a connection that arrives later is returned to the pool.
   */
  acquireBy(deadline: number): Promise<NodeConnection> {
    if (deadline === Infinity) return this.acquire();
    return new Promise((resolve, reject) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        reject(new PoolTimeoutError("No dedicated connection was ready before the command's deadline", true));
      }, Math.max(0, deadline - Date.now()));
      this.acquire(deadline).then(
        (connection) => {
          clearTimeout(timer);
          if (late) this.release(connection);
          else resolve(connection);
        },
        (error: Error) => {
          clearTimeout(timer);
          if (!late) reject(error);
        },
      );
    });
  }

  /** Returns a leased connection. `broken` (or a connection that is not ready) is destroyed. */
  release(connection: NodeConnection, broken = false): void {
    if (broken || !connection.isReady || this.closed) {
      this.discard(connection);
      this.serveWaiterWithNew();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.resolve(connection);
      return;
    }
    const entry = { connection, timer: undefined as NodeJS.Timeout | undefined };
    if (this.settings.idleTimeout > 0 && this.all.size > this.settings.minIdle) {
      entry.timer = setTimeout(() => {
        const index = this.idle.indexOf(entry);
        if (index >= 0) this.idle.splice(index, 1);
        this.discard(connection, true);
      }, this.settings.idleTimeout);
      entry.timer.unref();
    }
    this.idle.push(entry);
  }

  /** Destroys every connection and rejects waiters. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.reject(new ClientClosedError());
    }
    for (const entry of this.idle.splice(0)) if (entry.timer) clearTimeout(entry.timer);
    await Promise.all([...this.all].map((connection) => connection.destroy()));
    this.all.clear();
  }

  private discard(connection: NodeConnection, graceful = false): void {
    this.all.delete(connection);
    void (graceful ? connection.close() : connection.destroy());
  }

  private serveWaiterWithNew(): void {
    const waiter = this.waiters.shift();
    if (!waiter) return;
    if (waiter.timer) clearTimeout(waiter.timer);
    this.acquire(waiter.deadline).then(waiter.resolve, waiter.reject);
  }
}
