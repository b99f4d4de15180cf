import { inspect } from 'node:util';
import { ConfigError } from '../errors/base.error.js';
import type { BasicAuth, CredentialsProvider, Disposable, StreamingCredentialsListener, StreamingCredentialsProvider } from './credentials-provider.js';
import { CredentialsProviderError, ReAuthenticationError } from './credentials.errors.js';

/** Credentials as the handshake uses them (validated). Engine plumbing, not a supported API. */
export interface Credentials {
  readonly username: string | undefined;
  readonly password: string | undefined;
}

/** A connection that can re-authenticate in order with its commands. Engine plumbing, not a supported API. */
export interface ReauthTarget {
  readonly address: string;
  /** Resolves once re-authenticated (or when nothing is needed: the next handshake uses the new credentials). */
  reauthenticate(credentials: Credentials): Promise<void>;
}

/** Who hears about re-authentications (the cluster client). Engine plumbing, not a supported API. */
export interface CredentialsObserver {
  reauthenticated(address: string, durationMs: number): void;
  reauthenticationFailed(error: ReAuthenticationError): void;
  streamError(error: CredentialsProviderError): void;
}

/** Checks the shape of a `credentialsProvider` option. @internal */
export function checkCredentialsProvider(value: unknown, option: string): CredentialsProvider {
  if (typeof value !== 'object' || value === null) throw new ConfigError(option, "must be an object with type 'async-credentials-provider' or 'streaming-credentials-provider'");
  const type = (value as { type?: unknown }).type;
  if (type === 'async-credentials-provider') {
    if (typeof (value as { credentials?: unknown }).credentials !== 'function') throw new ConfigError(`${option}.credentials`, 'must be a function returning a promise of { username?, password }');
  } else if (type === 'streaming-credentials-provider') {
    if (typeof (value as { subscribe?: unknown }).subscribe !== 'function') throw new ConfigError(`${option}.subscribe`, 'must be a function (listener) => Promise<[credentials, disposable]>');
    if (typeof (value as { onReAuthenticationError?: unknown }).onReAuthenticationError !== 'function') throw new ConfigError(`${option}.onReAuthenticationError`, 'must be a function (error) => void');
  } else {
    throw new ConfigError(`${option}.type`, "must be 'async-credentials-provider' or 'streaming-credentials-provider'");
  }
  return value as CredentialsProvider;
}

/** Validates what a provider produced; the message names the call, never a value. */
function toCredentials(value: unknown, call: string, address: string): Credentials {
  if (typeof value !== 'object' || value === null) throw new CredentialsProviderError(address, `${call} did not produce an object { username?, password }`);
  const { username, password } = value as BasicAuth;
  if (username !== undefined && typeof username !== 'string') throw new CredentialsProviderError(address, `${call} produced a username that is not a string`);
  if (password !== undefined && typeof password !== 'string') throw new CredentialsProviderError(address, `${call} produced a password that is not a string`);
  return { username, password };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/**
 * The credentials of one provider for one client: asks an async provider on every handshake;
 * subscribes a streaming provider once (on the first handshake), keeps its latest credentials for
 * new connections and re-authenticates every attached live connection when new ones are pushed.
 * Holds the secrets in private fields: `util.inspect` and `JSON.stringify` show only the kind.
 * Engine plumbing (reachable from the resolved connection options' types), not a supported API.
 */
export class CredentialsSource {
  readonly kind: 'async' | 'streaming';
  readonly #provider: CredentialsProvider;
  #latest: Credentials | undefined;
  #subscribing: Promise<Credentials> | undefined;
  #subscription: Disposable | undefined;
  #disposed = false;
  readonly #targets = new Set<ReauthTarget>();
  #observer: CredentialsObserver | undefined;
  /** Bumped on every push: a slower re-authentication never reports over a newer one. */
  #generation = 0;
  /** Listeners of the providers made by {@link share} (other clients following this subscription). */
  readonly #followers = new Set<StreamingCredentialsListener<BasicAuth>>();
  #shared: CredentialsProvider | undefined;

  constructor(provider: CredentialsProvider) {
    this.#provider = provider;
    this.kind = provider.type === 'async-credentials-provider' ? 'async' : 'streaming';
  }

  /** Number of live connections that follow pushed credentials. */
  get attachedCount(): number {
    return this.#targets.size;
  }

  /** True when this source serves `provider` (the object given in the options). */
  serves(provider: unknown): boolean {
    return this.#provider === provider;
  }

  /**
   * A provider for another client of the same application that follows this source instead of
   * subscribing the user's provider a second time (a streaming provider may keep one listener
   * only). An async provider is returned as it is (it is asked per handshake, nothing to share).
   * A streaming one gets a fan-out provider, always the same object: its `subscribe()` resolves
   * with this source's current credentials (subscribing this source's provider if nobody has
   * yet) and relays every later push; its disposable stops the relay and never ends this
   * source's own subscription. Re-authentication failures go to the user's provider.
   */
  share(): CredentialsProvider {
    const provider = this.#provider;
    if (provider.type === 'async-credentials-provider') return provider;
    this.#shared ??= {
      type: 'streaming-credentials-provider',
      subscribe: async (listener) => {
        this.#followers.add(listener);
        try {
          const credentials = await this.get('credentials');
          return [{ ...credentials }, { dispose: () => void this.#followers.delete(listener) }];
        } catch (error) {
          this.#followers.delete(listener);
          throw error;
        }
      },
      onReAuthenticationError: (error) => provider.onReAuthenticationError(error),
    };
    return this.#shared;
  }

  observe(observer: CredentialsObserver): void {
    this.#observer = observer;
  }

  attach(target: ReauthTarget): void {
    if (!this.#disposed) this.#targets.add(target);
  }

  detach(target: ReauthTarget): void {
    this.#targets.delete(target);
  }

  /**
   * Credentials for a handshake to `address`. Never throws: rejects with CredentialsProviderError
   * (no value in it) when the provider fails. The caller bounds the wait (connectTimeout).
   */
  get(address: string): Promise<Credentials> {
    const provider = this.#provider;
    if (provider.type === 'async-credentials-provider') {
      let produced: Promise<BasicAuth>;
      try {
        produced = Promise.resolve(provider.credentials());
      } catch (error) {
        return Promise.reject(new CredentialsProviderError(address, `credentialsProvider.credentials() threw (${errorName(error)})`));
      }
      return produced.then(
        (value) => toCredentials(value, 'credentialsProvider.credentials()', address),
        (error: unknown) => Promise.reject(new CredentialsProviderError(address, `credentialsProvider.credentials() rejected (${errorName(error)})`)),
      );
    }
    if (this.#latest) return Promise.resolve(this.#latest);
    if (this.#disposed) return Promise.reject(new CredentialsProviderError(address, 'the credentials subscription was disposed (client closed)'));
    this.#subscribing ??= this.#subscribe(provider, address);
    return this.#subscribing;
  }

  #subscribe(provider: StreamingCredentialsProvider, address: string): Promise<Credentials> {
    const listener = {
      onNext: (value: unknown) => this.#push(value),
      onError: (error: unknown) => {
        if (!this.#disposed) this.#observer?.streamError(new CredentialsProviderError('credentials', `the streaming credentials provider reported an error (${errorName(error)})`));
      },
    };
    let subscribed: Promise<[BasicAuth, Disposable]>;
    try {
      subscribed = Promise.resolve(provider.subscribe(listener as Parameters<StreamingCredentialsProvider['subscribe']>[0]));
    } catch (error) {
      subscribed = Promise.reject(error);
    }
    return subscribed.then(
      (result) => {
        const [initial, disposable] = Array.isArray(result) ? result : [undefined, undefined];
        if (this.#disposed) {
          safeDispose(disposable);
          throw new CredentialsProviderError(address, 'the credentials subscription was disposed (client closed)');
        }
        this.#subscription = disposable;
        const credentials = toCredentials(initial, 'credentialsProvider.subscribe()', address);
        // A push that arrived before subscribe() resolved is newer than the initial value.
        this.#latest ??= credentials;
        return this.#latest;
      },
      (error: unknown) => {
        this.#subscribing = undefined; // the next connection attempt subscribes again
        if (error instanceof CredentialsProviderError) throw error;
        throw new CredentialsProviderError(address, `credentialsProvider.subscribe() failed (${errorName(error)})`);
      },
    );
  }

  #push(value: unknown): void {
    if (this.#disposed) return;
    let credentials: Credentials;
    try {
      credentials = toCredentials(value, 'credentialsProvider listener.onNext()', 'credentials');
    } catch (error) {
      this.#observer?.streamError(error as CredentialsProviderError);
      return;
    }
    this.#latest = credentials;
    for (const follower of [...this.#followers]) {
      try {
        follower.onNext({ ...credentials });
      } catch {
        // A follower's failure is its own client's business; this client's connections still switch.
      }
    }
    const generation = ++this.#generation;
    for (const target of [...this.#targets]) {
      const started = performance.now();
      target.reauthenticate(credentials).then(
        () => {
          if (!this.#disposed) this.#observer?.reauthenticated(target.address, performance.now() - started);
        },
        (error: unknown) => {
          if (this.#disposed || generation !== this.#generation) return;
          const failure = error instanceof ReAuthenticationError ? error : new ReAuthenticationError(target.address, `re-authentication failed (${errorName(error)})`);
          this.#observer?.reauthenticationFailed(failure);
          const provider = this.#provider as StreamingCredentialsProvider;
          try {
            provider.onReAuthenticationError(failure);
          } catch {
            // The hook's own failure must not escape into the connection's reply handling.
          }
        },
      );
    }
  }

  /** Ends the subscription (close/destroy of the client). Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#targets.clear();
    this.#followers.clear();
    this.#latest = undefined;
    const subscription = this.#subscription;
    this.#subscription = undefined;
    safeDispose(subscription);
  }

  /** True once disposed. */
  get disposed(): boolean {
    return this.#disposed;
  }

  [inspect.custom](): string {
    return `CredentialsSource { kind: '${this.kind}' }`;
  }

  toJSON(): { kind: string } {
    return { kind: this.kind };
  }
}

function safeDispose(disposable: Disposable | undefined): void {
  try {
    disposable?.dispose();
  } catch {
    // A provider's dispose() failing must not break close().
  }
}
