import { transformReply, type CommandDefinition } from '../commands/command-definition.js';
import { installCommands, type QueuedCommandMethods } from '../commands/commands.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import { clusterRoute, definitionRoute, type ClusterRoute } from './policy-router.js';
import type { ClusterCommandOptions, CommandExecutor } from './command-executor.js';
import { executeSplit } from './multi-key.js';
import { ArgumentError } from '../errors/base.error.js';
import { AlreadyExecutedError } from '../errors/already-executed.error.js';
import { buildCommand, copyArgv } from '../commands/validate-command.js';
import { callerCommandOptions, waitOptions, type CallerCommandOptions } from './entry-checks.js';
import { waitAofCall, waitCall, type WaitCall } from '../commands/wait-call.js';
import { withObserver } from '../observability/observability.js';
import type { CallObserver } from '../observability/trace-context.js';

/**
 * The outcome of one pipelined command, in the shape of `Promise.allSettled`:
 * `{ status: 'fulfilled', value }` or `{ status: 'rejected', reason }` (reason is the typed
 * error: ReplyError, CommandTimeoutError, ConnectionError…).
 */
export type PipelineOutcome<T = unknown> = PromiseSettledResult<T>;

interface Queued {
  /** The command, or the ArgumentError its arguments raised (that command's outcome rejects with it). */
  readonly argv: RedisArgument[] | ArgumentError;
  readonly def: CommandDefinition | undefined;
  readonly options: ClusterCommandOptions | undefined;
  /** Already routed (WAIT by its key's slot): skip the cluster-wide policy check. */
  readonly routed?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClusterPipeline extends QueuedCommandMethods<ClusterPipeline> {}

/**
 * A non-atomic batch. Commands may touch any slots: they are all issued in one tick, so each
 * node receives its share in one socket write; each command follows its own redirects; results
 * come back in the order the commands were added, one outcome each. Cross-slot MGET/DEL/MSET are
 * split per slot as for single commands.
 */
export class ClusterPipeline {
  private readonly queued: Queued[] = [];
  private executed = false;

  /** @internal */
  constructor(
    private readonly executor: CommandExecutor,
    /** Runs a cluster-wide (or refused) command as the client does outside pipelines. */
    private readonly clusterWide: (argv: readonly RedisArgument[], route: ClusterRoute, options: ClusterCommandOptions | undefined) => Promise<RespValue>,
    private readonly commandTimeout: number,
    /** Routing of raw argvs that the client gives a slot (PUBLISH by its channel). */
    private readonly routeRaw: (argv: readonly RedisArgument[], options: ClusterCommandOptions | undefined) => ClusterCommandOptions | undefined = (_argv, options) => options,
  ) {}

  /** Number of queued commands. */
  get length(): number {
    return this.queued.length;
  }

  /** Queues any command (argv, name first); `options` as sendCommand's (`timeout`, `returnBuffers`, `master`). */
  addCommand(args: readonly RedisArgument[], options?: CallerCommandOptions): this {
    const argv = copyArgv(args, 'pipeline.addCommand');
    const checked = argv instanceof ArgumentError ? argv : callerCommandOptions(options, 'pipeline.addCommand', 1);
    if (checked instanceof ArgumentError) this.queued.push({ argv: checked, def: undefined, options: undefined });
    else this.queued.push({ argv: argv as RedisArgument[], def: undefined, options: checked });
    return this;
  }

  /**
   * Queues `WAIT numReplicas timeoutMs` for the master of `key`'s slot: it runs there after the
   * commands queued before it for that master (see RedisCluster.waitReplicas); its outcome is
   * the number of replicas that acknowledged them.
   */
  waitReplicas(key: RedisArgument, numReplicas: number, timeoutMs: number): this {
    return this.queueWait(waitCall(key, numReplicas, timeoutMs));
  }

  /** Queues `WAITAOF numLocal numReplicas timeoutMs` (Redis 7.2+) for the master of `key`'s slot, as waitReplicas. */
  waitAof(key: RedisArgument, numLocal: 0 | 1, numReplicas: number, timeoutMs: number): this {
    return this.queueWait(waitAofCall(key, numLocal, numReplicas, timeoutMs));
  }

  private queueWait(call: WaitCall | ArgumentError): this {
    if (call instanceof ArgumentError) this.queued.push({ argv: call, def: undefined, options: undefined });
    else this.queued.push({ argv: call.argv, def: undefined, options: waitOptions(call, this.commandTimeout), routed: true });
    return this;
  }

  /** @internal */
  queueDefinition(def: CommandDefinition, args: unknown[]): this {
    this.queued.push({ argv: buildCommand(def, args), def, options: def.buffers ? { returnBuffers: true } : undefined });
    return this;
  }

  /**
   * Sends every queued command; resolves with one outcome per command, in order. A command whose
   * arguments were invalid gets a rejected outcome (ArgumentError) and is not sent; the others are.
   * Rejects (never throws) only when called a second time.
   */
  exec<T = unknown>(): Promise<Array<PipelineOutcome<T>>> {
    if (this.executed) return Promise.reject(new AlreadyExecutedError('pipeline'));
    this.executed = true;
    const tracer = this.executor.context.tracer?.active ? this.executor.context.tracer : undefined;
    const batch = tracer ? { mode: 'PIPELINE' as const, size: this.queued.length } : undefined;
    const queued = this.queued;
    const calls = new Array<Promise<T>>(queued.length);
    for (let i = 0; i < queued.length; i++) {
      const entry = queued[i]!;
      const argv = entry.argv;
      // No closure per command on the untraced path; a throw would reject that command alone.
      try {
        if (argv instanceof ArgumentError) calls[i] = Promise.reject(argv);
        else calls[i] = batch ? tracer!.traceCommand(argv, batch, (observer) => this.run<T>(entry, argv, observer)) : this.run<T>(entry, argv, undefined);
      } catch (error) {
        calls[i] = Promise.reject(error);
      }
    }
    return Promise.allSettled(calls);
  }

  private run<T>({ def, options, routed }: Queued, argv: RedisArgument[], observer: CallObserver | undefined): Promise<T> {
    const traced = withObserver(options, observer);
    const route = routed ? undefined : def ? definitionRoute(def, argv) : clusterRoute(argv);
    const raw = route
      ? this.clusterWide(argv, route, traced)
      : this.executor.execute(argv, def?.routeByArgument !== undefined || !def ? this.routeRaw(argv, traced) : traced);
    return (def ? transformReply(raw, def) : raw) as Promise<T>;
  }
}

installCommands(ClusterPipeline.prototype, function (this: unknown, def: CommandDefinition, args: unknown[]) {
  return (this as ClusterPipeline).queueDefinition(def, args);
});
