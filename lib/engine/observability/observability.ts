import { commandInfo } from '../commands/command-info.js';
import { keySlot } from '../commands/key-slot.js';
import type { ClusterEvents } from '../cluster/cluster-events.js';
import type { TopologyDiff } from '../cluster/node-registry.js';
import type { MaintenanceEvent } from '../maintenance/types.js';
import type { ShardedChannelMoved } from '../pubsub/pubsub-host.js';
import type { RedisArgument } from '../resp/types.js';
import type { TypedEmitter } from '../util/typed-emitter.js';
import { commandChannel, connectChannel, isTraced } from './channels.js';
import { SCOPE_NAME } from './metric-names.js';
import type { MeterLike } from './metrics-api.js';
import { MetricsRecorder, type MetricsSource } from './metrics-recorder.js';
import type { ResolvedObservabilityOptions } from './options.js';
import { sanitizeArgs } from './sanitize-args.js';
import { CommandTrace, type BatchMode, type CallObserver, type ConnectTraceContext, type NodeRole, type RedirectKind, type RetryKind } from './trace-context.js';

/** What observability needs from the cluster client. @internal */
export interface ObservabilityHost extends MetricsSource {
  /** The node expected to serve `slot` (its master; a random one's for keyless commands: undefined). */
  expectedNode(slot: number | undefined): { readonly host: string; readonly port: number; readonly role: NodeRole } | undefined;
  /** The role a node has in the current topology. */
  roleOf(address: string): NodeRole | undefined;
}

/** One connection attempt being observed; call exactly one of these (later calls are ignored). @internal */
export interface ConnectAttempt {
  ready(): void;
  failed(error: Error): void;
  /**
   * The attempt was given up on purpose before it was ready (a seed connection no longer needed
   * once another seed answered): the trace ends without an error, no create time is recorded.
   */
  abandoned(): void;
}

/** Where a connection attempt goes. @internal */
export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
  /** Undefined for a seed connection (role not known yet). */
  readonly role: NodeRole | undefined;
  /** A seed connection of topology discovery. @default false */
  readonly seed?: boolean;
  /** Reconnect attempts so far (0 first). */
  readonly attempt: number;
  readonly reconnect: boolean;
  readonly dedicated: boolean;
}

/** `options` with `observer` added (the same object when there is no observer: the untraced path allocates nothing). @internal */
export function withObserver<O extends object>(options: O | undefined, observer: CallObserver | undefined): (O & { observer?: CallObserver }) | undefined {
  return observer ? { ...(options as O), observer } : options;
}

/** For a command split over several slots: count its redirects and retries, but keep no single node. @internal */
export function splitObserver(observer: CallObserver): CallObserver {
  return { onNode: noopNode, onRedirect: (kind) => observer.onRedirect(kind), onRetry: (kind) => observer.onRetry(kind) };
}

const noopNode = (): void => undefined;

/** The part of {@link Observability} the command entry points (pipeline, transaction) use. @internal */
export type CommandTracer = Pick<Observability, 'active' | 'traceCommand' | 'traceTransaction'>;

const noop = (): void => undefined;
let lastClientId = 0;

/** Loads `@opentelemetry/api` if installed and returns its global meter; undefined when absent. */
async function globalMeter(): Promise<MeterLike | undefined> {
  try {
    const api = await import('@opentelemetry/api');
    return api.metrics.getMeter(SCOPE_NAME) as MeterLike;
  } catch {
    return undefined;
  }
}

/**
 * The observability of one client: publishes the TracingChannels and records the metrics.
 * Every entry point is a no-op costing one check when nothing subscribes and metrics are off.
 * @internal
 */
export class Observability {
  readonly clientId = `nrc-${++lastClientId}`;
  private recorder: MetricsRecorder | undefined;
  private loading: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly options: ResolvedObservabilityOptions,
    private readonly host: ObservabilityHost,
    private readonly events: TypedEmitter<ClusterEvents>,
  ) {
    const metrics = options.metrics;
    if (!metrics) return;
    const meter = metrics.meter ?? metrics.meterProvider?.getMeter(SCOPE_NAME);
    if (meter) this.start(meter);
    else
      this.loading = globalMeter().then((loaded) => {
        if (loaded && !this.closed) this.start(loaded);
      });
  }

  /** Resolves once metrics are set up (the global meter loaded); never rejects. */
  ready(): Promise<void> {
    return this.loading ?? Promise.resolve();
  }

  /** True when a command must go through {@link traceCommand} (someone subscribes, or durations are recorded). */
  get active(): boolean {
    return (this.options.tracing && isTraced(commandChannel)) || this.recorder?.recordsCommands === true;
  }

  /**
   * Runs one command issued by the user: publishes it on `nest-redis-cluster:command` (tracePromise
   * semantics: start/end around the call, asyncStart/asyncEnd at settle, error on failure) and
   * records its duration. `run` gets the {@link CallObserver} the command path reports to.
   */
  traceCommand<T>(argv: readonly RedisArgument[], batch: { readonly mode: BatchMode; readonly size: number } | undefined, run: (observer: CallObserver | undefined) => Promise<T>): Promise<T> {
    const traced = this.options.tracing && isTraced(commandChannel);
    const recorder = this.recorder?.recordsCommands ? this.recorder : undefined;
    if (!traced && !recorder) return run(undefined);
    const context = this.context(argv, batch);
    const measured = recorder ? () => this.measure(recorder, context, () => run(context)) : () => run(context);
    return traced ? commandChannel.tracePromise(measured, context) : measured();
  }

  /**
   * Runs a transaction: one trace per queued command (batchMode `MULTI`), all settling with EXEC.
   * A command whose reply is an error (an element of EXEC's reply) ends its trace with that error;
   * when EXEC itself fails, every command's trace ends with that error.
   */
  traceTransaction<T extends readonly unknown[]>(argvs: ReadonlyArray<readonly RedisArgument[]>, run: (observer: CallObserver | undefined) => Promise<T>, isError: (reply: unknown) => boolean): Promise<T> {
    const traced = this.options.tracing && isTraced(commandChannel);
    const recorder = this.recorder?.recordsCommands ? this.recorder : undefined;
    if ((!traced && !recorder) || argvs.length === 0) return run(undefined);
    const batch = { mode: 'MULTI' as const, size: argvs.length };
    const contexts = argvs.map((argv) => this.context(argv, batch));
    const started = performance.now();
    const shared = run(new FanOut(contexts));
    const traces = contexts.map((context, i) => {
      const one = (): Promise<unknown> =>
        shared.then(
          (replies) => {
            const reply = replies[i];
            recorder?.operation(context, (performance.now() - started) / 1000, isError(reply) ? reply : undefined);
            return isError(reply) ? Promise.reject(reply as Error) : reply;
          },
          (error: unknown) => {
            recorder?.operation(context, (performance.now() - started) / 1000, error);
            throw error;
          },
        );
      return traced ? commandChannel.tracePromise(one, context) : one();
    });
    // The caller continues once every command's trace has ended (as for a single command).
    return Promise.allSettled(traces).then(() => shared);
  }

  /**
   * Starts observing one connection attempt (publishes `nest-redis-cluster:connect`, records
   * `db.client.connection.create_time` on success); undefined when nothing observes.
   */
  connectAttempt(target: ConnectTarget): ConnectAttempt | undefined {
    const traced = this.options.tracing && isTraced(connectChannel);
    const recorder = this.recorder?.recordsConnections ? this.recorder : undefined;
    if (!traced && !recorder) return undefined;
    const started = performance.now();
    let settled = false;
    let resolve: () => void = noop;
    let reject: (error: Error) => void = noop;
    if (traced) {
      const context: ConnectTraceContext = {
        serverAddress: target.host,
        serverPort: target.port,
        nodeRole: target.role,
        seed: target.seed === true,
        attempt: target.attempt,
        reconnect: target.reconnect,
        dedicated: target.dedicated,
        clientId: this.clientId,
      };
      const pending = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      connectChannel.tracePromise(() => pending, context).catch(noop);
    }
    return {
      ready: () => {
        if (settled) return;
        settled = true;
        recorder?.connectionCreated(target.host, target.port, (performance.now() - started) / 1000);
        resolve();
      },
      failed: (error) => {
        if (settled) return;
        settled = true;
        reject(error);
      },
      abandoned: () => {
        if (settled) return;
        settled = true;
        resolve();
      },
    };
  }

  /** A pub/sub message was delivered to listeners. */
  pubsubMessage(sharded: boolean): void {
    this.recorder?.pubsubMessage(sharded);
  }

  /** Stops recording: removes the observable callbacks and the event listeners. Idempotent. */
  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.recorder?.close();
  }

  private start(meter: MeterLike): void {
    const recorder = new MetricsRecorder(meter, this.options.metrics!.groups, this.host);
    this.recorder = recorder;
    const onChange = (diff: TopologyDiff): void => recorder.topologyChanged(diff.roleChanged.filter((address) => this.host.roleOf(address) === 'master').length);
    const onError = (error: Error): void => recorder.error('cluster', error);
    const onNodeError = (error: Error): void => recorder.error('node', error);
    const onMaintenance = (event: MaintenanceEvent): void => recorder.maintenanceEvent(event.type);
    const onMoved = (_channel: string, info: ShardedChannelMoved): void => recorder.resubscribed(info.reason);
    this.events.on('topology-change', onChange).on('error', onError).on('node-error', onNodeError).on('maintenance', onMaintenance).on('sharded-channel-moved', onMoved);
    this.unsubscribe = () => {
      this.events.off('topology-change', onChange).off('error', onError).off('node-error', onNodeError).off('maintenance', onMaintenance).off('sharded-channel-moved', onMoved);
    };
  }

  private context(argv: readonly RedisArgument[], batch: { readonly mode: BatchMode; readonly size: number } | undefined): CommandTrace {
    const slot = slotOf(argv);
    const args = sanitizeArgs(argv, this.options.includeValues);
    const context = new CommandTrace((args[0] ?? '').toUpperCase(), args, slot, this.clientId, batch);
    const node = this.host.expectedNode(slot);
    if (node) context.onNode(node.host, node.port, node.role);
    return context;
  }

  private measure<T>(recorder: MetricsRecorder, context: CommandTrace, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    return run().then(
      (value) => {
        recorder.operation(context, (performance.now() - started) / 1000, undefined);
        return value;
      },
      (error: unknown) => {
        recorder.operation(context, (performance.now() - started) / 1000, error);
        throw error;
      },
    );
  }
}

/** The slot all keys of `argv` share; undefined for keyless commands, several slots, or arguments the table cannot read. */
function slotOf(argv: readonly RedisArgument[]): number | undefined {
  try {
    const keys = commandInfo(argv).keys;
    if (keys.length === 0) return undefined;
    const slot = keySlot(keys[0]!);
    for (let i = 1; i < keys.length; i++) if (keySlot(keys[i]!) !== slot) return undefined;
    return slot;
  } catch {
    return undefined;
  }
}

/** One observer for every command of a transaction (they share the node and the hops). */
class FanOut implements CallObserver {
  constructor(private readonly targets: readonly CallObserver[]) {}

  onNode(host: string, port: number, role: NodeRole): void {
    for (const target of this.targets) target.onNode(host, port, role);
  }

  onRedirect(kind: RedirectKind): void {
    for (const target of this.targets) target.onRedirect(kind);
  }

  onRetry(kind: RetryKind): void {
    for (const target of this.targets) target.onRetry(kind);
  }
}
