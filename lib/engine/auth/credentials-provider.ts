/**
 * Credentials providers, with node-redis 5's shapes and names (`@redis/client` `credentialsProvider`),
 * so a provider written for node-redis (e.g. `@redis/entraid`'s) works here unchanged.
 */

/** A username/password pair. `username` defaults to `default` (as with a plain `password`). */
export interface BasicAuth {
  /** ACL username. @default 'default' */
  username?: string;
  /** Password or token. Never appears in errors, events, logs or `util.inspect` output. */
  password?: string;
}

/** Something to release (a subscription). */
export interface Disposable {
  dispose(): void;
}

/**
 * Asked for credentials on every new connection (main, pooled, pub/sub, seed, hand-off): the
 * promise must settle within the connection's `socket.connectTimeout` (it counts against it).
 */
export interface AsyncCredentialsProvider {
  readonly type: 'async-credentials-provider';
  credentials: () => Promise<BasicAuth>;
}

/** Receives the credentials a streaming provider pushes. */
export interface StreamingCredentialsListener<T> {
  /** New credentials: every live connection of the cluster re-authenticates with them. */
  onNext: (credentials: T) => void;
  /** The provider could not produce credentials (reported as a cluster `error` event). */
  onError: (error: Error) => void;
}

/**
 * Pushes credentials: `subscribe` is called once per client (on its first connection) and returns
 * the first credentials and a disposable (disposed by `close()`/`destroy()`); every later
 * `listener.onNext(credentials)` re-authenticates every live connection with `AUTH`, queued in
 * order with the commands. A refused re-authentication is passed to `onReAuthenticationError`
 * (and emitted as `reauthentication-error`).
 */
export interface StreamingCredentialsProvider {
  readonly type: 'streaming-credentials-provider';
  subscribe: (listener: StreamingCredentialsListener<BasicAuth>) => Promise<[BasicAuth, Disposable]>;
  onReAuthenticationError: (error: Error) => void;
}

/** Either provider shape. */
export type CredentialsProvider = AsyncCredentialsProvider | StreamingCredentialsProvider;
