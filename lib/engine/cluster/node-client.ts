import { inspect } from 'node:util';
import { transformReply, type CommandDefinition } from '../commands/command-definition.js';
import { installCommands, type CommandMethods } from '../commands/commands.js';
import type { RedisArgument, RespValue } from '../resp/types.js';
import { ArgumentError } from '../errors/base.error.js';
import { buildCommand, copyArgv } from '../commands/validate-command.js';
import { callerCommandOptions, settle } from './entry-checks.js';
import type { ClusterNode } from './cluster-node.js';
import type { ClusterCommandOptions, CommandExecutor } from './command-executor.js';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface NodeClient extends CommandMethods {}

/**
 * Commands bound to one node (server commands such as INFO, CONFIG, CLUSTER …, or a key you know
 * lives there). No routing and no redirects: a MOVED reply rejects.
 */
export class NodeClient {
  /** @internal */
  constructor(
    private readonly executor: CommandExecutor,
    private readonly node: ClusterNode,
  ) {}

  /** `host:port` of the node. */
  get address(): string {
    return this.node.address;
  }

  sendCommand<T = RespValue>(args: readonly RedisArgument[], options?: Pick<ClusterCommandOptions, 'timeout' | 'returnBuffers'>): Promise<T> {
    const argv = copyArgv(args);
    if (argv instanceof ArgumentError) return Promise.reject(argv);
    const checked = callerCommandOptions(options, 'sendCommand', 1);
    if (checked instanceof ArgumentError) return Promise.reject(checked);
    return settle(() => this.send(argv, checked)) as Promise<T>;
  }

  /** `util.inspect` shows the address only (never the node's connection options). */
  [inspect.custom](): string {
    return `NodeClient { address: '${this.node.address}' }`;
  }

  /** `JSON.stringify` gives the address only. */
  toJSON(): { address: string } {
    return { address: this.node.address };
  }

  /** @internal */
  executeDefinition(def: CommandDefinition, args: unknown[]): Promise<unknown> {
    const argv = buildCommand(def, args);
    if (argv instanceof ArgumentError) return Promise.reject(argv);
    return transformReply(
      settle(() => this.send(argv, def.buffers ? { returnBuffers: true } : undefined)),
      def,
    );
  }

  /** Sends to this node, traced (TracingChannel, metrics) like every other command when observability is on. */
  private send(argv: RedisArgument[], options: ClusterCommandOptions | undefined): Promise<RespValue> {
    const tracer = this.executor.context.tracer;
    if (tracer?.active) return tracer.traceCommand(argv, undefined, (observer) => this.executor.execute(argv, { ...options, node: this.node, observer }));
    return this.executor.execute(argv, { ...options, node: this.node });
  }
}

installCommands(NodeClient.prototype, function (this: unknown, def: CommandDefinition, args: unknown[]) {
  return (this as NodeClient).executeDefinition(def, args);
});
