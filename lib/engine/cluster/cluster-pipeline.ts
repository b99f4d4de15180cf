import type { CommandDefinition } from '../commands/command-definition.js';
import { installCommands, type QueuedCommandMethods } from '../commands/commands.js';
import type { RedisArgument } from '../resp/types.js';
import type { ClusterCommandOptions, CommandExecutor } from './command-executor.js';
import { executeSplit } from './multi-key.js';
import { withObserver } from '../observability/observability.js';
import type { CallObserver } from '../observability/trace-context.js';

/**
 * The outcome of one pipelined command, in the shape of `Promise.allSettled`:
 * `{ status: 'fulfilled', value }` or `{ status: 'rejected', reason }` (reason is the typed
 * error: ReplyError, CommandTimeoutError, ConnectionError…).
 */
export type PipelineOutcome<T = unknown> = PromiseSettledResult<T>;

interface Queued {
  readonly argv: RedisArgument[];
  readonly def: CommandDefinition | undefined;
  readonly options: ClusterCommandOptions | undefined;
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
  constructor(private readonly executor: CommandExecutor) {}

  /** Number of queued commands. */
  get length(): number {
    return this.queued.length;
  }

  /** Queues any command (argv, name first). */
  addCommand(args: readonly RedisArgument[], options?: Pick<ClusterCommandOptions, 'returnBuffers'>): this {
    this.queued.push({ argv: [...args], def: undefined, options });
    return this;
  }

  /** @internal */
  queueDefinition(def: CommandDefinition, args: unknown[]): this {
    this.queued.push({ argv: def.build(...args), def, options: def.buffers ? { returnBuffers: true } : undefined });
    return this;
  }

  /** Sends every queued command; resolves with one outcome per command, in order. Never rejects. */
  exec<T = unknown>(): Promise<Array<PipelineOutcome<T>>> {
    if (this.executed) throw new Error('This pipeline was already executed');
    this.executed = true;
    const tracer = this.executor.context.tracer?.active ? this.executor.context.tracer : undefined;
    const batch = { mode: 'PIPELINE' as const, size: this.queued.length };
    return Promise.allSettled(
      this.queued.map((queued) => (tracer ? tracer.traceCommand(queued.argv, batch, (observer) => this.run<T>(queued, observer)) : this.run<T>(queued, undefined))),
    );
  }

  private run<T>({ argv, def, options }: Queued, observer: CallObserver | undefined): Promise<T> {
    const traced = withObserver(options, observer);
    const raw = def?.split ? executeSplit(this.executor, argv, def.split, def.splitStep ?? 1, traced) : this.executor.execute(argv, traced);
    return (def?.transform ? raw.then(def.transform) : raw) as Promise<T>;
  }
}

installCommands(ClusterPipeline.prototype, function (this: unknown, def: CommandDefinition, args: unknown[]) {
  return (this as ClusterPipeline).queueDefinition(def, args);
});
