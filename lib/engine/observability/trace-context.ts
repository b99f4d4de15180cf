/**
 * Contexts published on the TracingChannels, and the per-call hook the command path fills in.
 * Field names follow node-redis 5.12 (`node-redis:command`) and ioredis 5.11 (`ioredis:command`):
 * `command`, `args`, `database`, `serverAddress`, `serverPort`, `batchMode`, `batchSize`,
 * `clientId`. Ours add `slot`, `redirections`, `retries` and `nodeRole`.
 */

/** Kinds of redirect a command may follow. */
export type RedirectKind = 'MOVED' | 'ASK';

/** Kinds of retry a command may go through (same node or re-routed after a refresh). */
export type RetryKind = 'TRYAGAIN' | 'CLUSTERDOWN' | 'CONNECTION';

/** Role of the node a command was sent to. */
export type NodeRole = 'master' | 'replica';

/** How a command was issued as part of a batch. */
export type BatchMode = 'PIPELINE' | 'MULTI';

/**
 * What the command path reports about one call while it runs (the executor calls these). Every
 * method is cheap and never throws. @internal
 */
export interface CallObserver {
  /** The command was (or is about to be) written to the node at `host:port` with `role`. */
  onNode(host: string, port: number, role: NodeRole): void;
  /** A MOVED or ASK reply sent the command to another node. */
  onRedirect(kind: RedirectKind): void;
  /** The command is retried after TRYAGAIN, CLUSTERDOWN or a lost connection. */
  onRetry(kind: RetryKind): void;
}

/** Context of `nest-redis-cluster:command` (see {@link CHANNELS}). */
export interface CommandTraceContext {
  /** Command name as given (first word for container commands, e.g. `CLUSTER`). */
  readonly command: string;
  /**
   * Arguments, the command name first, as text. Values of writes (and every argument of commands
   * not known to be safe) are `?` unless `observability.tracing.includeValues` is true.
   */
  readonly args: readonly string[];
  /** Always 0: Redis Cluster has one database. */
  readonly database: number;
  /**
   * Host of the node the command went to (the last one after redirects), or, before it was
   * routed, of the node expected to serve it; undefined when not known (e.g. a command split
   * over several slots).
   */
  serverAddress: string | undefined;
  /** Port of that node. */
  serverPort: number | undefined;
  /** Role of that node. */
  nodeRole: NodeRole | undefined;
  /** Hash slot the command is routed by; undefined for keyless commands and split multi-key commands. */
  readonly slot: number | undefined;
  /** MOVED/ASK hops followed so far (final once the trace ends). */
  redirections: number;
  /** TRYAGAIN / CLUSTERDOWN / lost-connection retries so far (final once the trace ends). */
  retries: number;
  /** Set for each command of a pipeline or a transaction. */
  readonly batchMode?: BatchMode;
  /** Number of commands in that pipeline or transaction. */
  readonly batchSize?: number;
  /** Identifies the client instance (unique in the process), e.g. `nrc-1`. */
  readonly clientId: string;
  /** Set by `tracePromise` on success: the reply. */
  result?: unknown;
  /** Set by `tracePromise` on failure: the typed error. */
  error?: unknown;
}

/** Context of `nest-redis-cluster:connect` (see {@link CHANNELS}). */
export interface ConnectTraceContext {
  readonly serverAddress: string;
  readonly serverPort: number;
  /** Role of the node when the attempt started; undefined for a seed (its role is not known yet). */
  readonly nodeRole: NodeRole | undefined;
  /** True for a seed connection of topology discovery (a throw-away connection to a root node). */
  readonly seed: boolean;
  /** Reconnect attempts so far: 0 for the first attempt (and for the immediate reconnect after a ready socket broke), then 1, 2… */
  readonly attempt: number;
  /** True for any attempt after the connection's first. */
  readonly reconnect: boolean;
  /** True for a dedicated connection (blocking commands, WATCH), false for the shared one. */
  readonly dedicated: boolean;
  readonly clientId: string;
  /** Set on failure: the connection error. */
  error?: unknown;
}

/**
 * The context object of one traced command; it is also the {@link CallObserver} the command path
 * updates, so subscribers see the final node, redirections and retries at `asyncEnd`. @internal
 */
export class CommandTrace implements CommandTraceContext, CallObserver {
  serverAddress: string | undefined;
  serverPort: number | undefined;
  nodeRole: NodeRole | undefined;
  redirections = 0;
  retries = 0;
  readonly database = 0;
  result?: unknown;
  error?: unknown;
  /** Kinds of each redirect and retry, in order (for the metrics recorder). */
  readonly hops: Array<RedirectKind | RetryKind> = [];
  // Own properties only on batch commands' contexts (like node-redis).
  declare readonly batchMode?: BatchMode;
  declare readonly batchSize?: number;

  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly slot: number | undefined,
    readonly clientId: string,
    batch?: { readonly mode: BatchMode; readonly size: number },
  ) {
    if (batch) Object.assign(this, { batchMode: batch.mode, batchSize: batch.size });
  }

  onNode(host: string, port: number, role: NodeRole): void {
    this.serverAddress = host;
    this.serverPort = port;
    this.nodeRole = role;
  }

  onRedirect(kind: RedirectKind): void {
    this.redirections++;
    this.hops.push(kind);
  }

  onRetry(kind: RetryKind): void {
    this.retries++;
    this.hops.push(kind);
  }
}
