/** Options of `@OnShardedMessage`, `@OnMessage` and `@OnPatternMessage`. */
export interface PubSubHandlerOptions {
  /**
   * Name of the cluster to subscribe on (as given to forRoot / forRootAsync). A name that no
   * module registers is warned about at bootstrap and not subscribed.
   * @default 'default'
   */
  cluster?: string;
  /** Deliver each message as a `Buffer` (binary payloads) instead of a UTF-8 string. @default false */
  buffers?: boolean;
  /**
   * What a failed subscription does at bootstrap (a refused SUBSCRIBE, no master for the slot, the
   * cluster unreachable). `false`: `app.init()` rejects with `PubSubBootstrapError`, so the app
   * never starts "ready" without its handlers. `true`: the failure is logged, the app starts, and
   * the subscription is retried in the background (back-off from 500 ms doubling up to 30 s) until
   * it succeeds or the app shuts down; health reports `degraded` meanwhile. With `lazyConnect`
   * the app never waits for subscriptions: every failed one is retried this way.
   * @default false
   */
  optional?: boolean;
}

/**
 * The signature of a decorated handler: the payload (a string, or a Buffer with
 * `{ buffers: true }`), the channel it was published on, and for `@OnPatternMessage` the pattern
 * that matched. It may return a promise: a rejection is logged like a thrown error.
 */
export type PubSubMessageHandler<T extends string | Buffer = string> = (message: T, channel: string, pattern?: string) => unknown;
