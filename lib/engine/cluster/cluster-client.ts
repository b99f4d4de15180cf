import { inspect } from 'node:util';
import { transformReply, type CommandDefinition } from '../commands/command-definition.js';
import { installCommands, type CommandMethods } from '../commands/commands.js';
import { keySlot } from '../commands/key-slot.js';
import type { NodeConnection } from '../connection/node-connection.js';
import type { CredentialsProvider } from '../auth/credentials-provider.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import type { ClusterNode } from './cluster-node.js';
import { resolveClusterOptions, type RedisClusterOptions, type ResolvedClusterOptions } from './cluster-options.js';
import type { ClusterEvents } from './cluster-events.js';
import { CommandExecutor, type ClusterCommandOptions } from './command-executor.js';
import type { ClusterStats } from './executor-context.js';
import { executeSplit } from './multi-key.js';
import { NodeRegistry } from './node-registry.js';
import { TopologyManager } from './topology-manager.js';
import type { ClusterNodeInfo, Topology } from './topology.js';
import { ClusterPipeline } from './cluster-pipeline.js';
import { ClusterTransaction } from './cluster-transaction.js';
import { WatchSession } from './watch-session.js';
import { NodeClient } from './node-client.js';
import { scanCluster, type ScanIteratorOptions } from './cluster-scan.js';
import { healthReport, type HealthReport, type HealthReportOptions } from './health-report.js';
import { parseClusterInfo, parseClusterNodes, type ClusterInfo, type ClusterNodesEntry } from './cluster-info.js';
import { ArgumentError, ClientClosedError, CommandTimeoutError, describeArgumentKind } from '../errors/base.error.js';
import { byDeadline } from '../util/by-deadline.js';
import { callDeadline } from './retry-loop.js';
import { SENDABLE } from '../resp/argument-check.js';
import { buildCommand, checkKeyList, copyArgv, isSendable } from '../commands/validate-command.js';
import { callerCommandOptions, checkScriptCall, checkSubscription, isNodeRef, isSlot, settle } from './entry-checks.js';
import { clusterRoute, definitionRoute, executeFanOut, type ClusterRoute } from './policy-router.js';
import { waitAofCall, waitCall, type WaitCall } from '../commands/wait-call.js';
import { waitOptions } from './entry-checks.js';
import { defineScript, runScript, type RedisScript, type ScriptCall } from './script.js';
import { ClassicSubscriber } from '../pubsub/classic-subscriber.js';
import { ShardedSubscriber } from '../pubsub/sharded-subscriber.js';
import { toNames, type PubSubListener } from '../pubsub/listeners.js';
import type { PubSubHost } from '../pubsub/pubsub-host.js';
import type { ConnectionPlugin, ExecutorCache, PluginHost } from './connection-plugin.js';
import { createClientSideCache } from '../cache/index.js';
import type { BasicClientSideCache } from '../cache/basic-client-side-cache.js';
import type { TrackingPlugin } from '../cache/tracking-plugin.js';
import { createMaintenance, type MaintenanceConnectionPlugin } from '../maintenance/index.js';
import { HandshakeRefusedError } from '../errors/connection.error.js';
import { Observability, withObserver, type ConnectAttempt, type ObservabilityHost } from '../observability/observability.js';
import type { NodeRole } from '../observability/trace-context.js';
import type { CallObserver } from '../observability/trace-context.js';
import { resolveObservabilityOptions } from '../observability/options.js';

const noop = (): void => undefined;

/**
 * Command methods (`get`, `set`, `hSet`, `mGet`…) are installed on the prototype. `scan` is not
 * offered on the cluster (a cursor belongs to one node; called anyway it rejects with
 * UnsupportedCommandError): use `scanIterator()`, or `nodeClient(node).scan()`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RedisCluster extends Omit<CommandMethods, 'scan'> {}

/**
 * A Redis Cluster client: routes each command to the node serving its slot, follows
 * redirects, keeps one auto-pipelined connection per node plus a pool for blocking commands.
 * Create with {@link createCluster}, then `await cluster.connect()`.
 */
export class RedisCluster extends TypedEmitter<ClusterEvents> {
  /** @internal */ readonly options: ResolvedClusterOptions;
  /** @internal */ readonly registry: NodeRegistry;
  /** @internal */ readonly topology: TopologyManager;
  /** @internal */ readonly executor: CommandExecutor;
  private readonly statsData: ClusterStats = { moved: 0, ask: 0, tryAgain: 0, clusterDown: 0, connectionRetries: 0, topologyRefreshes: 0 };
  private connecting: Promise<void> | undefined;
  private readonly classic: ClassicSubscriber;
  private readonly scripts = new Map<string, RedisScript>();
  private readonly plugins: ConnectionPlugin[] = [];
  private readonly maintenance: MaintenanceConnectionPlugin | undefined;
  /** Nodes being closed by close(), so that a destroy() during it can still reach them. */
  private closingNodes: ClusterNode[] = [];
  /** @internal The client-side cache plugin, when `clientSideCache` is set. */
  private readonly cachePlugin: (ConnectionPlugin & ExecutorCache) | undefined;
  private readonly sharded: ShardedSubscriber;
  /** Plugins told of each new topology (PluginHost.watchTopology). */
  private readonly topologyWatchers = new Set<(topology: Topology) => void>();
  private state: 'idle' | 'connecting' | 'open' | 'closing' | 'closed' = 'idle';
  /** TracingChannels and metrics (`observability` option). */
  private readonly observability: Observability;
  /** Counting wrappers of pub/sub listeners (pubsub metric group). */
  /** The one shutdown in progress or done (close() and destroy() are single-flight). */
  private closing: Promise<void> | undefined;
  private destroying: Promise<void> | undefined;
  /** destroy() was called while close() was draining. */
  private destroyRequested = false;

  constructor(options: RedisClusterOptions) {
    super();
    this.options = resolveClusterOptions(options);
    this.registry = new NodeRegistry(this.options, (connection, node, dedicated) => this.setupConnection(connection, node, dedicated));
    this.topology = new TopologyManager(this.options, this.registry, {
      changed: (topology, diff, previous) => {
        for (const watcher of this.topologyWatchers) watcher(topology);
        this.emit('topology-change', diff);
        if (previous) void this.sharded.reconcile('topology-change');
      },
      patched: (topology) => {
        for (const watcher of this.topologyWatchers) watcher(topology);
      },
      error: (error) => this.emit('error', error),
      seedConnection: (connection) => this.observeConnects(connection, () => undefined, false, true),
    });
    const nodeDefaults = this.options.nodeOptions('127.0.0.1', 6379);
    const defaultTimeout = nodeDefaults.commandTimeout;
    const pluginHost: PluginHost = {
      topology: () => this.topology.current,
      requestRefresh: () => this.topology.requestRefresh(),
      error: (error) => this.emit('error', error),
      emit: (event, ...args) => (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
      watchTopology: (listener) => {
        this.topologyWatchers.add(listener);
        return () => this.topologyWatchers.delete(listener);
      },
    };
    const raw = options as unknown as Record<string, unknown>;
    this.cachePlugin = createClientSideCache(raw['clientSideCache'], pluginHost, nodeDefaults.RESP);
    if (this.cachePlugin) this.plugins.push(this.cachePlugin);
    this.maintenance = createMaintenance(raw, pluginHost, nodeDefaults.RESP);
    if (this.maintenance) this.plugins.push(this.maintenance);
    this.observability = new Observability(resolveObservabilityOptions(raw['observability']), this.observabilityHost(), this);
    this.executor = new CommandExecutor({
      options: this.options,
      registry: this.registry,
      topology: this.topology,
      stats: this.statsData,
      defaultTimeout,
      isClosed: () => this.state === 'closing' || this.state === 'closed',
      whenTopology: () => this.connect(),
      cache: this.cachePlugin,
      tracer: this.observability,
    });
    const host: PubSubHost = {
      topology: () => this.topology.current,
      ready: () => this.connect(),
      nodeOptions: (node) => this.options.nodeOptions(node.host, node.port, node.hostname),
      refresh: () => this.topology.refresh(),
      error: (error) => this.emit('error', error),
      nodeError: (error, address) => this.emit('node-error', error, address),
      channelMoved: (channel, info) => this.emit('sharded-channel-moved', channel, info),
      channelsUnplaced: (channels, info) => this.emit('sharded-channels-unplaced', channels, info),
      messageDelivered: (sharded) => this.observability.pubsubMessage(sharded),
      isClosed: () => this.state === 'closing' || this.state === 'closed',
    };
    for (const [name, script] of Object.entries(options.scripts ?? {})) this.scripts.set(name, typeof script === 'string' ? defineScript(script) : script);
    for (const source of this.options.credentialSources) {
      source.observe({
        reauthenticated: (address, durationMs) => this.emit('node-reauthenticated', address, { durationMs }),
        reauthenticationFailed: (error) => this.emit('reauthentication-error', error),
        streamError: (error) => this.emit('error', error),
      });
    }
    this.classic = new ClassicSubscriber(host);
    this.sharded = new ShardedSubscriber(host);
  }

  /**
   * Nothing is emitted once closed but the one `end`; while closing, the errors of the teardown
   * itself (ClientClosedError) are not reported either.
   * @internal
   */
  protected override emit<K extends keyof ClusterEvents & string>(event: K, ...args: ClusterEvents[K]): boolean {
    if (this.state === 'closed' || this.state === 'closing') {
      if (event === 'end') return this.state === 'closed' && super.emit(event, ...args);
      if (this.state === 'closed') return false;
      if ((event === 'error' || event === 'node-error') && args[0] instanceof ClientClosedError) return false;
    }
    return super.emit(event, ...args);
  }

  /** True between a successful connect() and close()/destroy(). */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /**
   * Loads the topology from the root nodes and opens a connection to every master. Rejects with
   * TopologyError listing each seed's failure. Idempotent; commands issued before it also wait for it.
   */
  connect(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return Promise.reject(new ClientClosedError());
    this.connecting ??= (async () => {
      this.state = 'connecting';
      await this.observability.ready();
      const topology = await this.topology.bootstrap();
      if (this.isClosing()) throw new ClientClosedError();
      // Wait for the masters' connections, but not for ever: a master that is down (its shard
      // failing over) keeps reconnecting in the background and must not hold connect() hostage.
      const connectTimeout = this.options.nodeOptions('127.0.0.1', 6379).connectTimeout;
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), connectTimeout || 5000)));
      const settled = Promise.allSettled(
        topology.masters.map((m) => this.registry.getOrCreate(m.host, m.port, 'master', m.hostname).connection.connect()),
      );
      const results = await Promise.race([settled, bound]);
      clearTimeout(timer);

      // A refused required handshake step (maintNotifications: 'enabled') is a configuration
      // problem, not a transient one: fail connect() instead of leaving dead nodes behind.
      const refused = results === 'timeout' ? undefined : results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && r.reason instanceof HandshakeRefusedError);
      if (refused) {
        this.topology.stop();
        await this.registry.closeAll(false);
        this.disposeCredentials();
        this.state = 'closed';
        throw refused.reason;
      }
      if (this.isClosing()) throw new ClientClosedError();
      if (this.state === 'connecting') {
        this.state = 'open';
        this.emit('connect');
      }
    })().catch((error: unknown) => {
      this.connecting = undefined;
      if (this.state === 'connecting') this.state = 'idle';
      throw error;
    });
    return this.connecting;
  }

  /**
   * Sends any command, routed by its keys (first key's slot; all keys must share it), or to a
   * random master when it has none. Cluster-wide commands follow the command table's request
   * policy as the typed methods do (FLUSHALL, DBSIZE, KEYS, SCRIPT LOAD, CONFIG SET… reach every
   * master or node, replies combined; NodeFanOutError when a node fails); SCAN and keyless
   * WAIT/WAITAOF are refused (UnsupportedCommandError). Invalid arguments reject with ArgumentError.
   */
  sendCommand<T = RespValue>(args: readonly RedisArgument[], options?: ClusterCommandOptions): Promise<T> {
    const argv = copyArgv(args);
    if (argv instanceof ArgumentError) return Promise.reject(argv);
    if (options === undefined) return this.sendChecked(argv, undefined);
    const checked = callerCommandOptions(options, 'sendCommand', 1);
    return checked instanceof ArgumentError ? Promise.reject(checked) : this.sendChecked(argv, checked);
  }

  /** sendCommand after its checks; also the engine's own sends, whose options may carry `slot`. */
  private sendChecked<T>(argv: RedisArgument[], options: ClusterCommandOptions | undefined): Promise<T> {
    // No closure on the untraced path; nothing below throws, and if it did it would reject.
    try {
      if (this.observability.active) return this.observability.traceCommand(argv, undefined, (observer) => this.runRaw(argv, withObserver(options, observer))) as Promise<T>;
      return this.runRaw(argv, options) as Promise<T>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private runRaw(argv: RedisArgument[], options: ClusterCommandOptions | undefined): Promise<RespValue> {
    const route = clusterRoute(argv);
    return route ? this.routeClusterWide(argv, route, options) : this.executor.execute(argv, this.routeRaw(argv, options));
  }

  /** @internal Runs a typed command definition (installed as `get`, `set`, …). */
  executeDefinition(def: CommandDefinition, args: unknown[]): Promise<unknown> {
    const argv = buildCommand(def, args);
    if (argv instanceof ArgumentError) return Promise.reject(argv);
    // No closure on the untraced path; nothing below throws, and if it did it would reject.
    try {
      if (this.observability.active) return this.observability.traceCommand(argv, undefined, (observer) => this.runDefinition(def, argv, observer));
      return this.runDefinition(def, argv, undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private runDefinition(def: CommandDefinition, argv: RedisArgument[], observer: CallObserver | undefined): Promise<unknown> {
    let options: ClusterCommandOptions | undefined = withObserver(def.buffers ? { returnBuffers: true } : undefined, observer);
    if (def.routeByArgument !== undefined) options = this.routeByArgument(argv[def.routeByArgument], options);
    const route = definitionRoute(def, argv);
    const raw = route ? this.routeClusterWide(argv, route, options) : this.executor.execute(argv, options);
    return transformReply(raw, def);
  }

  /** @internal A cluster-wide command (by its request policy): sent to every master/node, or refused. */
  routeClusterWide(argv: readonly RedisArgument[], route: ClusterRoute, options: ClusterCommandOptions | undefined): Promise<RespValue> {
    if (route.kind === 'refuse') return Promise.reject(route.error);
    if (route.kind === 'split') return executeSplit(this.executor, argv, route.split, route.step, options);
    // One deadline from the call for the whole fan-out: the lazy connect and every node's send.
    const timeout = options?.timeout ?? this.executor.context.defaultTimeout;
    const deadline = options?.deadline ?? callDeadline(timeout);
    const within: ClusterCommandOptions = { ...options, timeout, deadline };
    return executeFanOut(
      {
        topology: async () => {
          if (!this.topology.current) await byDeadline(this.connect(), deadline, () => new CommandTimeoutError(route.policy.command, timeout, false));
          return this.topology.current!;
        },
        send: (node, sub) => this.executor.execute(sub, { ...within, node: this.registry.get(node.address) ?? this.registry.getOrCreate(node.host, node.port, node.role, node.hostname) }),
      },
      argv,
      route,
    );
  }

  /**
   * Routing of a keyless command by one argument's slot (PUBLISH by its channel), so that one
   * channel's calls go to one node and keep their order: the master of that slot. Fallback while
   * that master's connection is down (reconnecting) or no master serves the slot: the first master
   * in topology order whose connection is up (addressed by one of its slots, so retries stay
   * routed), else the default routing. Arguments that are not strings or Buffers keep the default
   * routing (the argument check rejects them).
   */
  /**
   * Raw argvs (sendCommand, pipeline addCommand) get the same channel routing as the typed
   * `publish`: a PUBLISH goes to its channel's slot owner, so one publisher's order is kept.
   * @internal
   */
  routeRaw(argv: readonly RedisArgument[], options: ClusterCommandOptions | undefined): ClusterCommandOptions | undefined {
    const name = argv[0];
    if (argv.length !== 3 || typeof name !== 'string' || name.length !== 7 || name.toUpperCase() !== 'PUBLISH' || options?.slot !== undefined) return options;
    return this.routeByArgument(argv[1], options);
  }

  private routeByArgument(argument: RedisArgument | undefined, options: ClusterCommandOptions | undefined): ClusterCommandOptions | undefined {
    if (typeof argument !== 'string' && !Buffer.isBuffer(argument)) return options;
    const slot = keySlot(argument);
    const topology = this.topology.current;
    if (topology === undefined) return { ...options, slot };
    const shard = topology.shardOf(slot);
    if (shard !== undefined && this.registry.get(shard.master.address)?.connection.isReconnecting !== true) return { ...options, slot };
    const fallback = topology.shards.find((s) => s !== shard && s.ranges.length > 0 && this.registry.get(s.master.address)?.connection.isReady === true);
    if (fallback !== undefined) return { ...options, slot: fallback.ranges[0]![0] };
    return shard !== undefined ? { ...options, slot } : options;
  }

  /**
   * Runs a Lua script: EVALSHA routed by its keys (one slot), falling back to EVAL once on NOSCRIPT.
   * Give a {@link RedisScript} from `defineScript()`, or the name of one in the `scripts` option.
   */
  runScript<T = RespValue>(script: RedisScript | string, call: ScriptCall = {}, options?: ClusterCommandOptions): Promise<T> {
    const resolved = typeof script === 'string' ? this.scripts.get(script) : script;
    if (!resolved) {
      const kind = typeof script === 'string' ? 'a name not in the scripts option' : describeArgumentKind(script);
      return Promise.reject(new ArgumentError('runScript', 0, 'a RedisScript or the name of one in the scripts option', kind, 'script'));
    }
    const bad = checkScriptCall(resolved, call);
    if (bad) return Promise.reject(bad);
    const checked = callerCommandOptions(options, 'runScript', 2);
    if (checked instanceof ArgumentError) return Promise.reject(checked);
    return settle(() => {
      if (this.observability.active) {
        const keys = call.keys ?? [];
        const argv = [resolved.readOnly ? 'EVALSHA_RO' : 'EVALSHA', resolved.sha1, keys.length, ...keys, ...(call.arguments ?? [])];
        return this.observability.traceCommand(argv, undefined, (observer) => runScript(this.executor, resolved, call, withObserver(checked, observer)));
      }
      return runScript(this.executor, resolved, call, checked);
    }) as Promise<T>;
  }

  /**
   * `WAIT numReplicas timeoutMs` on the master of `key`'s slot, on the connection that carried the
   * writes issued before it to that master, so it counts the replicas that acknowledged them: the
   * number of replicas reached (fewer than `numReplicas` when `timeoutMs` elapsed first). It holds
   * that master's shared connection for up to `timeoutMs` (ms, from 1; 0 "for ever" is refused):
   * keep it short. The call's deadline is `timeoutMs` plus `commandTimeout`. After a transaction,
   * call it once `exec()` resolved (inside MULTI the server does not wait). A WATCH session's
   * writes run on their own connection, which this does not wait for.
   */
  waitReplicas(key: RedisArgument, numReplicas: number, timeoutMs: number): Promise<number> {
    return this.runWait(waitCall(key, numReplicas, timeoutMs)) as Promise<number>;
  }

  /**
   * `WAITAOF numLocal numReplicas timeoutMs` (Redis 7.2+) on the master of `key`'s slot, after the
   * writes issued before it there, as {@link waitReplicas}: `[local, replicas]` that fsynced them.
   */
  waitAof(key: RedisArgument, numLocal: 0 | 1, numReplicas: number, timeoutMs: number): Promise<[number, number]> {
    return this.runWait(waitAofCall(key, numLocal, numReplicas, timeoutMs)) as Promise<[number, number]>;
  }

  private runWait(call: WaitCall | ArgumentError): Promise<RespValue> {
    if (call instanceof ArgumentError) return Promise.reject(call);
    const options = waitOptions(call, this.executor.context.defaultTimeout);
    return settle(() =>
      this.observability.active
        ? this.observability.traceCommand(call.argv, undefined, (observer) => this.executor.execute(call.argv, withObserver(options, observer)))
        : this.executor.execute(call.argv, options),
    );
  }

  /** A non-atomic batch over any slots: grouped per node, order kept, each command redirected on its own. */
  pipeline(): ClusterPipeline {
    return new ClusterPipeline(
      this.executor,
      (argv, route, options) => this.routeClusterWide(argv, route, options),
      this.executor.context.defaultTimeout,
      (argv, options) => this.routeRaw(argv, options),
    );
  }

  /** An atomic MULTI/EXEC over keys of one slot (CrossSlotError before sending otherwise). */
  multi(): ClusterTransaction {
    return new ClusterTransaction(this.executor, undefined);
  }

  /**
   * WATCHes `keys` (one slot) on a dedicated pooled connection. Read with the session's commands,
   * then `session.multi()…exec()` (rejects with WatchError if a watched key changed). Always
   * `release()` the session when not calling exec.
   */
  watch(...keys: RedisArgument[]): Promise<WatchSession> {
    const bad = checkKeyList(keys, 'WATCH', 0, false);
    if (bad) return Promise.reject(bad);
    return settle(() => WatchSession.open(this.executor, keys));
  }

  /**
   * SUBSCRIBEs to classic channels on one dedicated connection (PUBLISH reaches every node).
   * Resubscribes after reconnects and moves to another node when its node is lost.
   * `bufferMode` delivers messages as Buffers.
   */
  subscribe(channels: string | readonly string[], listener: PubSubListener<string>, bufferMode?: false): Promise<void>;
  subscribe(channels: string | readonly string[], listener: PubSubListener<Buffer>, bufferMode: true): Promise<void>;
  subscribe(channels: string | readonly string[], listener: PubSubListener<string> | PubSubListener<Buffer>, bufferMode = false): Promise<void> {
    const bad = checkSubscription('subscribe', channels, listener, bufferMode, false);
    if (bad) return Promise.reject(bad);
    return settle(() => this.classic.subscribe('channel', toNames(channels), listener, bufferMode));
  }

  /** Removes `listener` (or every listener) from `channels` (or every channel); UNSUBSCRIBEs channels left without listeners. */
  unsubscribe(channels?: string | readonly string[], listener?: PubSubListener<string> | PubSubListener<Buffer>): Promise<void> {
    const bad = checkSubscription('unsubscribe', channels, listener, undefined, true);
    if (bad) return Promise.reject(bad);
    return settle(() => this.classic.unsubscribe('channel', channels === undefined ? undefined : toNames(channels), listener));
  }

  /** PSUBSCRIBEs to glob patterns; the listener gets `(message, channel, pattern)`. */
  pSubscribe(patterns: string | readonly string[], listener: PubSubListener<string>, bufferMode?: false): Promise<void>;
  pSubscribe(patterns: string | readonly string[], listener: PubSubListener<Buffer>, bufferMode: true): Promise<void>;
  pSubscribe(patterns: string | readonly string[], listener: PubSubListener<string> | PubSubListener<Buffer>, bufferMode = false): Promise<void> {
    const bad = checkSubscription('pSubscribe', patterns, listener, bufferMode, false);
    if (bad) return Promise.reject(bad);
    return settle(() => this.classic.subscribe('pattern', toNames(patterns), listener, bufferMode));
  }

  /** The PUNSUBSCRIBE counterpart of unsubscribe(). */
  pUnsubscribe(patterns?: string | readonly string[], listener?: PubSubListener<string> | PubSubListener<Buffer>): Promise<void> {
    const bad = checkSubscription('pUnsubscribe', patterns, listener, undefined, true);
    if (bad) return Promise.reject(bad);
    return settle(() => this.classic.unsubscribe('pattern', patterns === undefined ? undefined : toNames(patterns), listener));
  }

  /**
   * SSUBSCRIBEs to sharded channels on the master of their slot (channels of one call must share a
   * slot: CrossSlotError before sending). Follows slot moves and failovers: see the
   * `sharded-channel-moved` event.
   */
  sSubscribe(channels: string | readonly string[], listener: PubSubListener<string>, bufferMode?: false): Promise<void>;
  sSubscribe(channels: string | readonly string[], listener: PubSubListener<Buffer>, bufferMode: true): Promise<void>;
  sSubscribe(channels: string | readonly string[], listener: PubSubListener<string> | PubSubListener<Buffer>, bufferMode = false): Promise<void> {
    const bad = checkSubscription('sSubscribe', channels, listener, bufferMode, false);
    if (bad) return Promise.reject(bad);
    return settle(() => this.sharded.subscribe(toNames(channels), listener, bufferMode));
  }

  /** The SUNSUBSCRIBE counterpart of unsubscribe(). */
  sUnsubscribe(channels?: string | readonly string[], listener?: PubSubListener<string> | PubSubListener<Buffer>): Promise<void> {
    const bad = checkSubscription('sUnsubscribe', channels, listener, undefined, true);
    if (bad) return Promise.reject(bad);
    return settle(() => this.sharded.unsubscribe(channels === undefined ? undefined : toNames(channels), listener));
  }

  /**
   * Current subscriptions: classic channels and patterns, where each sharded channel lives, and
   * the sharded channels that lost their subscription and are not placed again yet (being retried).
   */
  subscriptions(): { channels: string[]; patterns: string[]; shardChannels: Record<string, string | undefined>; unplacedShardChannels: string[]; classicNode: string | undefined } {
    return {
      channels: this.classic.channels,
      patterns: this.classic.patterns,
      shardChannels: this.sharded.placement(),
      unplacedShardChannels: this.sharded.unplaced(),
      classicNode: this.classic.address,
    };
  }

  /** Walks every master with SCAN (MATCH/COUNT/TYPE), yielding each page of keys; follows failovers. */
  scanIterator(options: ScanIteratorOptions = {}): AsyncIterableIterator<string[]> {
    return scanCluster(
      {
        primaries: () => this.getPrimaries(),
        connect: () => this.connect(),
        refreshTopology: () => this.refreshTopology(),
        sendTo: (address, argv) => this.nodeClient(address).sendCommand(argv),
      },
      options,
    );
  }

  /** The slot of a key (CRC16 with hash tags, mod 16384). */
  keySlot(key: RedisArgument): number {
    if (!isSendable(key)) throw new ArgumentError('keySlot', 0, SENDABLE, describeArgumentKind(key), 'key');
    return keySlot(key);
  }

  /** Masters of the current topology. */
  getPrimaries(): ClusterNodeInfo[] {
    return this.topology.current?.masters ?? [];
  }

  /** Replicas of the current topology (failed and loading replicas excluded: see {@link getUnavailableNodes}). */
  getReplicas(): ClusterNodeInfo[] {
    return this.topology.current?.replicas ?? [];
  }

  /**
   * Nodes the cluster lists that serve nothing now, each with its `health`: `loading` replicas
   * (re-checked within seconds) and `failed` nodes (a dead former master, until the cluster forgets it).
   */
  getUnavailableNodes(): ClusterNodeInfo[] {
    return [...(this.topology.current?.unavailable ?? [])];
  }

  /** A random master. */
  getRandomNode(): ClusterNodeInfo | undefined {
    const masters = this.getPrimaries();
    return masters[Math.floor(Math.random() * masters.length)];
  }

  /** The master serving `slot`, or undefined when no node serves it. */
  getSlotMaster(slot: number): ClusterNodeInfo | undefined {
    return this.topology.current?.shardOf(slot)?.master;
  }

  /** The master serving the slot of `key`. */
  getNodeByKey(key: RedisArgument): ClusterNodeInfo | undefined {
    if (!isSendable(key)) throw new ArgumentError('getNodeByKey', 0, SENDABLE, describeArgumentKind(key), 'key');
    return this.getSlotMaster(keySlot(key));
  }

  /** A client bound to one node, for server commands (INFO, CONFIG, CLUSTER …): no routing, no redirects. */
  nodeClient(node: ClusterNodeInfo | string): NodeClient {
    if (!isNodeRef(node)) throw new ArgumentError('nodeClient', 0, 'a ClusterNodeInfo or "host:port"', describeArgumentKind(node), 'node');
    const address = typeof node === 'string' ? node : node.address;
    const known = this.registry.get(address);
    const target = known ?? this.registry.getOrCreate(address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1)));
    return new NodeClient(this.executor, target);
  }

  /** Sends `args` to each node; one settled outcome per node, in order. */
  async executeOnNodes<T = RespValue>(
    nodes: readonly (ClusterNodeInfo | string)[],
    args: readonly RedisArgument[],
  ): Promise<Array<PromiseSettledResult<T> & { address: string }>> {
    if (!Array.isArray(nodes) || !nodes.every(isNodeRef)) throw new ArgumentError('executeOnNodes', 0, 'an array of ClusterNodeInfo or "host:port"', describeArgumentKind(nodes), 'nodes');
    const outcomes = await Promise.allSettled(nodes.map((node) => this.nodeClient(node).sendCommand<T>(args)));
    return outcomes.map((outcome, i) => ({ ...outcome, address: typeof nodes[i] === 'string' ? (nodes[i] as string) : (nodes[i] as ClusterNodeInfo).address }));
  }

  /** `CLUSTER INFO` from a random master, parsed. */
  async clusterInfo(): Promise<ClusterInfo> {
    return parseClusterInfo(await this.sendCommand<string>(['CLUSTER', 'INFO']));
  }

  /** `CLUSTER NODES` from a random master, parsed. */
  async clusterNodes(): Promise<ClusterNodesEntry[]> {
    return parseClusterNodes(await this.sendCommand<string>(['CLUSTER', 'NODES']));
  }

  /** `CLUSTER SHARDS` raw reply from a random master (RESP3 maps). */
  clusterShards(): Promise<RespValue> {
    return this.sendCommand(['CLUSTER', 'SHARDS']);
  }

  /** `CLUSTER COUNTKEYSINSLOT` on the slot's master. */
  countKeysInSlot(slot: number): Promise<number> {
    if (!isSlot(slot)) return Promise.reject(new ArgumentError('CLUSTER COUNTKEYSINSLOT', 0, 'an integer slot from 0 to 16383', describeArgumentKind(slot), 'slot'));
    return this.sendChecked<number>(['CLUSTER', 'COUNTKEYSINSLOT', slot], { slot, master: true });
  }

  /** `CLUSTER GETKEYSINSLOT` on the slot's master. */
  getKeysInSlot(slot: number, count: number): Promise<string[]> {
    if (!isSlot(slot)) return Promise.reject(new ArgumentError('CLUSTER GETKEYSINSLOT', 0, 'an integer slot from 0 to 16383', describeArgumentKind(slot), 'slot'));
    if (!(typeof count === 'number' && Number.isInteger(count) && count >= 0)) {
      return Promise.reject(new ArgumentError('CLUSTER GETKEYSINSLOT', 1, 'a non-negative integer', describeArgumentKind(count), 'count'));
    }
    return this.sendChecked<string[]>(['CLUSTER', 'GETKEYSINSLOT', slot, count], { slot, master: true });
  }

  /** Cluster state, slot coverage and every master's reachability and latency; never throws. */
  healthReport(options: HealthReportOptions = {}): Promise<HealthReport> {
    return healthReport(
      {
        isOpen: this.isOpen,
        topology: () => this.topology.current,
        requireFullCoverage: this.options.requireFullCoverage,
        sendToNode: (address, args, timeoutMs) => this.nodeClient(address).sendCommand(args, { timeout: timeoutMs }),
      },
      options,
    );
  }

  /**
   * The client-side cache (given as `clientSideCache`, or created from its options), to read its
   * `stats()` or call `invalidate()` / `clear()`; undefined when caching is off.
   */
  get clientSideCache(): BasicClientSideCache | undefined {
    return (this.cachePlugin as TrackingPlugin | undefined)?.cache;
  }

  /** Addresses of the nodes in a maintenance window now (Smart Client Handoffs); empty when none or the feature is off. */
  maintenanceNodes(): string[] {
    return this.maintenance?.inMaintenance() ?? [];
  }

  /** Redirect and refresh counters since creation. */
  stats(): Readonly<ClusterStats> {
    return { ...this.statsData, topologyRefreshes: this.topology.refreshCount };
  }

  /** Asks for a topology refresh now and waits for it. */
  refreshTopology(): Promise<void> {
    return this.topology.refresh();
  }

  /**
   * Stops new commands, lets in-flight ones settle, then closes every socket and timer (the seed
   * connections of a discovery in progress included). Single-flight: every call returns the same
   * promise; `end` is emitted once, and no event is emitted after it. A `connect()` in progress
   * rejects with ClientClosedError.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown(true);
    return this.closing;
  }

  /**
   * Closes every socket at once; pending commands reject with ClientClosedError. Also ends a
   * close() in progress without waiting for its drain (both then resolve together). Idempotent.
   */
  destroy(): Promise<void> {
    if (this.destroying) return this.destroying;
    if (this.closing) {
      // close() is draining: destroy the nodes it is waiting for, then settle with it.
      const draining = this.closing;
      this.destroyRequested = true;
      const nodes = new Set([...this.closingNodes, ...this.registry.all()]);
      this.destroying = Promise.all([...nodes].map((node) => node.destroy())).then(() => draining);
      return this.destroying;
    }
    this.destroying = this.closing = this.shutdown(false);
    return this.destroying;
  }

  private async shutdown(graceful: boolean): Promise<void> {
    if (this.state === 'closed') return this.observability.close();
    this.state = 'closing';
    this.topology.stop();
    this.executor.cancelWaiting();
    await Promise.all([this.classic.close(), this.sharded.close()]);
    this.closingNodes = this.registry.all();
    await this.registry.closeAll(graceful && !this.destroyRequested);
    this.closingNodes = [];
    await Promise.all(this.plugins.map((plugin) => plugin.close?.()));
    this.disposeCredentials();
    this.observability.close();
    this.state = 'closed';
    this.emit('end');
  }

  /**
   * Resolves when no `connect()` is running (at once when none is); never rejects. For a shutdown
   * that lets a connect started by a first command finish before closing (so that command can be
   * drained rather than refused).
   */
  whenConnectSettled(): Promise<void> {
    const connecting = this.state === 'connecting' ? this.connecting : undefined;
    return connecting ? connecting.then(noop, noop) : Promise.resolve();
  }

  /** Addresses of the nodes the client has connections to (or is opening), masters and replicas. */
  nodeAddresses(): string[] {
    return this.registry.all().map((node) => node.address);
  }

  /** @internal The runtime node for an address (tests, pub/sub). */
  node(address: string): ClusterNode | undefined {
    return this.registry.get(address);
  }

  /**
   * `util.inspect` shows the state and the node addresses only: the options (and any credentials in
   * them) are never printed, whatever the depth.
   */
  [inspect.custom](): string {
    return `RedisCluster { state: '${this.state}', nodes: ${JSON.stringify(this.nodeAddresses())} }`;
  }

  /**
   * @internal For another client of the same application (the Nest cache's token client): the
   * provider to give it instead of `provider`, one of this client's options, so that a streaming
   * provider is subscribed once and its pushes reach both clients (`CredentialsSource.share()`).
   * A provider this client does not use is returned as it is.
   */
  sharedCredentialsProvider(provider: CredentialsProvider): CredentialsProvider {
    return this.options.credentialSources.find((source) => source.serves(provider))?.share() ?? provider;
  }

  /** Ends the credentials providers' subscriptions (the client is closed for good). */
  private disposeCredentials(): void {
    for (const source of this.options.credentialSources) source.dispose();
  }

  private isClosing(): boolean {
    return this.state === 'closing' || this.state === 'closed';
  }

  /** What observability reads from this client (expected nodes, connections, counters). */
  private observabilityHost(): ObservabilityHost {
    return {
      expectedNode: (slot) => (slot === undefined ? undefined : this.topology.current?.shardOf(slot)?.master),
      roleOf: (address) => this.topology.current?.nodes.get(address)?.role,
      stats: () => this.stats(),
      cacheStats: () => this.clientSideCache?.stats(),
      connections: () =>
        this.registry.all().map((node) => {
          const leased = node.hasPool ? node.pool.size - node.pool.idleCount : 0;
          return {
            host: node.host,
            port: node.port,
            used: (node.connection.isReady ? 1 : 0) + leased,
            idle: node.hasPool ? node.pool.idleCount : 0,
            pending: node.connection.pendingCount + node.connection.inflightCount,
          };
        }),
    };
  }

  /**
   * Each connection attempt of `connection` on `nest-redis-cluster:connect` and in
   * `db.client.connection.create_time`: the nodes' connections and the seed connections of
   * topology discovery (`seed: true`, no role yet).
   */
  private observeConnects(connection: NodeConnection, roleOf: () => NodeRole | undefined, dedicated: boolean, seed = false): void {
    let attempt: ConnectAttempt | undefined;
    const settle = (error?: Error): void => {
      if (error) attempt?.failed(error);
      else attempt?.ready();
      attempt = undefined;
    };
    connection.on('connecting', (info) => {
      settle(new ClientClosedError('connection attempt superseded'));
      const address = connection.address;
      const colon = address.lastIndexOf(':');
      attempt = this.observability.connectAttempt({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)), role: roleOf(), seed, attempt: info.attempt, reconnect: info.reconnect, dedicated });
    });
    connection.on('ready', () => settle());
    connection.on('error', (error) => settle(error));
    connection.on('end', () => {
      // A seed connection ended before it was ready: the discovery dropped it (another seed answered).
      if (seed) {
        attempt?.abandoned();
        attempt = undefined;
      } else settle(new ClientClosedError('connection closed before it was ready'));
    });
  }

  private setupConnection(connection: NodeConnection, node: ClusterNode, dedicated: boolean): void {
    for (const plugin of this.plugins) plugin.attach(connection, node, dedicated ? 'dedicated' : 'main');
    if (this.options.useReplicas && !dedicated) {
      connection.addHandshakeExtension({ steps: () => (node.role === 'replica' ? [{ args: ['READONLY'] }] : []) });
    }
    this.observeConnects(connection, () => node.role, dedicated);
    const address = node.address;
    connection.on('error', (error) => {
      this.emit('node-error', error, address);
      if (!dedicated) this.topology.requestRefresh();
    });
    if (!dedicated) {
      // A main connection that gave up (the node's object opens a fresh one on next use): the
      // topology may have changed (a node removed, a failover), so check it.
      connection.on('end', () => {
        if (!this.isClosing()) this.topology.requestRefresh();
      });
      connection.on('ready', () => this.emit('node-ready', address));
      connection.on('reconnecting', (info) => this.emit('node-reconnecting', address, info));
    }
  }
}

installCommands(RedisCluster.prototype, function (this: unknown, def: CommandDefinition, args: unknown[]) {
  return (this as RedisCluster).executeDefinition(def, args);
});

/** Creates a cluster client (validates options; opens no socket until connect() or the first command). */
export function createCluster(options: RedisClusterOptions): RedisCluster {
  return new RedisCluster(options);
}
