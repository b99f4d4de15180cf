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
}

/**
 * The signature of a decorated handler: the payload (a string, or a Buffer with
 * `{ buffers: true }`), the channel it was published on, and for `@OnPatternMessage` the pattern
 * that matched. It may return a promise: a rejection is logged like a thrown error.
 */
export type PubSubMessageHandler<T extends string | Buffer = string> = (message: T, channel: string, pattern?: string) => unknown;
