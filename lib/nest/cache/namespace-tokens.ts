import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { inspect } from 'node:util';
import { createCluster, type RedisCluster } from '../../engine/cluster/cluster-client.js';
import type { RedisClusterOptions } from '../../engine/cluster/cluster-options.js';
import { tokenClientOptions } from './token-client-options.js';
/** Wait after a failed connection of the dedicated client before trying again, in ms. */
const RETRY_AFTER_MS = 1_000;

/** A fresh random namespace token (12 random bytes, base64url). @internal */
export function newToken(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * The current token of each cache namespace (`<keyPrefix><namespace>:token`), held in process
 * memory and invalidated by the server (RESP3 client tracking), so that a cache hit does not read
 * the namespace key: it is read from Redis only after a change (or a lost connection).
 *
 * - With the cluster's client-side cache on, the token GETs go through the cluster itself (its
 *   cache serves and tracks them).
 * - Otherwise a small dedicated cluster client with a client-side cache reads only token keys (so
 *   only they are tracked): one more connection per master. Until it is connected (and if it cannot
 *   be created), tokens are read through the main cluster, one GET each time.
 *
 * A token that is missing (never set, evicted, lost in a failover) is replaced by a new random one
 * (`SET NX GET`), so an old token, and the entries written under it, never come back.
 *
 * The dedicated client shares the main client's credentials (a streaming provider is subscribed
 * once, see {@link tokenClientOptions}); `util.inspect` shows neither client nor options.
 * @internal
 */
export class NamespaceTokens {
  private tracked: RedisCluster | undefined;
  private trackedReady = false;
  private opening: Promise<void> | undefined;
  private closed = false;
  /** `performance.now()` before which no new connection attempt is made (after a failed one). */
  private retryAt = 0;

  constructor(
    private readonly main: RedisCluster,
    private engine: RedisClusterOptions | undefined,
    private readonly keyPrefix: string,
    private readonly onError: (operation: string, error: unknown) => void,
  ) {}

  /** The Redis key holding a namespace's token. */
  tokenKey(namespace: string): string {
    return `${this.keyPrefix}${namespace}:token`;
  }

  /** True when token reads are served from process memory (tracked). */
  get tracking(): boolean {
    return this.main.clientSideCache !== undefined || this.trackedReady;
  }

  /** The namespace's current token; rejects when Redis cannot be reached within `timeout` ms. */
  async current(namespace: string, timeout: number): Promise<string> {
    const client = this.reader();
    const key = this.tokenKey(namespace);
    const value = await client.sendCommand<string | null>(['GET', key], { timeout, master: true });
    if (typeof value === 'string' && value !== '') return value;
    const token = newToken();
    const previous = await client.sendCommand<string | null>(['SET', key, token, 'NX', 'GET'], { timeout });
    client.clientSideCache?.invalidate(key);
    return typeof previous === 'string' && previous !== '' ? previous : token;
  }

  /** Replaces the namespace's token by a new random one (every entry of the namespace becomes unreachable). */
  async rotate(namespace: string, timeout: number): Promise<string> {
    const client = this.reader();
    const key = this.tokenKey(namespace);
    const token = newToken();
    try {
      await client.sendCommand(['SET', key, token], { timeout });
    } finally {
      // Whatever happened (the SET may have run), the next read asks the server.
      client.clientSideCache?.invalidate(key);
      if (client !== this.main) this.main.clientSideCache?.invalidate(key);
    }
    return token;
  }

  /** The state only: the clients and the options (credentials) are never printed, whatever the depth. */
  [inspect.custom](): string {
    return `NamespaceTokens { tracking: ${this.tracking}, dedicatedClient: ${this.tracked !== undefined} }`;
  }

  /** Closes the dedicated client, if one was created. */
  async close(): Promise<void> {
    this.closed = true;
    const tracked = this.tracked;
    this.tracked = undefined;
    this.trackedReady = false;
    await tracked?.close().catch(() => undefined);
  }

  /** The client to read tokens with now (starting the dedicated one in the background when needed). */
  private reader(): RedisCluster {
    if (this.main.clientSideCache !== undefined || this.engine === undefined || this.closed) return this.main;
    if (this.trackedReady && this.tracked !== undefined) return this.tracked;
    if (this.opening === undefined && performance.now() >= this.retryAt) this.opening = this.open().finally(() => (this.opening = undefined));
    return this.main;
  }

  private async open(): Promise<void> {
    let client = this.tracked;
    if (client === undefined) {
      try {
        client = createCluster(tokenClientOptions(this.main, this.engine!));
      } catch (error) {
        this.onError('token client', error);
        this.engine = undefined; // the options cannot make a tracking client: read through the main one
        return;
      }
      client.on('error', (error) => this.onError('token tracking', error));
      client.on('node-error', () => undefined);
      this.tracked = client;
    }
    try {
      await client.connect();
      if (this.closed) await client.close();
      else this.trackedReady = true;
    } catch (error) {
      this.retryAt = performance.now() + RETRY_AFTER_MS;
      if (!this.closed) this.onError('token client connect', error);
    }
  }
}
