import { defineCommand } from '../command-definition.js';
import { ArgumentError, describeArgumentKind } from '../../errors/base.error.js';
import type { RedisArgument, RespValue } from '../../resp/types.js';
import { passThrough, stringRecord } from '../transforms.js';
import { withFlushMode, type FlushMode } from './arguments.js';

export const SERVER_COMMANDS = {
  /** PING: `'PONG'`, or `message` echoed back. */
  ping: defineCommand({
    build: (message?: RedisArgument) => (message === undefined ? ['PING'] : ['PING', message]),
    transform: passThrough<string>(),
  }),
  /** ECHO: `message` back. */
  echo: defineCommand({
    build: (message: RedisArgument) => ['ECHO', message],
    transform: passThrough<string>(),
  }),
  /** DBSIZE: the number of keys; on a cluster, the sum over every master (request policy all_shards, agg_sum). */
  dbSize: defineCommand({
    build: () => ['DBSIZE'],
    transform: passThrough<number>(),
  }),
  /** FLUSHALL: deletes every key; on a cluster, of every master (all_shards; NodeFanOutError naming the nodes that failed). `'OK'`. */
  flushAll: defineCommand({
    build: (mode?: FlushMode) => withFlushMode(['FLUSHALL'], mode),
    transform: passThrough<'OK'>(),
  }),
  /** FLUSHDB: deletes every key of database 0; on a cluster, of every master (as FLUSHALL). `'OK'`. */
  flushDb: defineCommand({
    build: (mode?: FlushMode) => withFlushMode(['FLUSHDB'], mode),
    transform: passThrough<'OK'>(),
  }),
  /** CONFIG SET: one parameter (`'hz', '20'`) or several (`{ hz: '20', … }`); on a cluster, on every master and replica (all_nodes; NodeFanOutError naming the nodes that refused). `'OK'`. */
  configSet: defineCommand({
    build: (parameterOrConfig: RedisArgument | Readonly<Record<string, RedisArgument>>, value?: RedisArgument): RedisArgument[] => {
      if (typeof parameterOrConfig === 'object' && parameterOrConfig !== null && !Buffer.isBuffer(parameterOrConfig) && !ArrayBuffer.isView(parameterOrConfig)) {
        const argv: RedisArgument[] = ['CONFIG', 'SET'];
        for (const [name, setting] of Object.entries(parameterOrConfig)) argv.push(name, setting);
        if (argv.length === 2) throw new ArgumentError('CONFIG SET', 0, 'a parameter name or a { parameter: value } object with at least one entry', describeArgumentKind(parameterOrConfig), 'parameterOrConfig');
        return argv;
      }
      return ['CONFIG', 'SET', parameterOrConfig as RedisArgument, value as RedisArgument];
    },
    transform: passThrough<'OK'>(),
  }),
  /** CONFIG GET: the parameters matching `pattern` as `{ name: value }`, from one node (a random master). */
  configGet: defineCommand({
    build: (pattern: RedisArgument) => ['CONFIG', 'GET', pattern],
    transform: (reply: RespValue): Record<string, string> => stringRecord(reply),
  }),
  /** INFO: the server report as text (`# Section` headers, `field:value` lines), optionally one section. */
  info: defineCommand({
    build: (section?: RedisArgument) => (section === undefined ? ['INFO'] : ['INFO', section]),
    transform: passThrough<string>(),
  }),
  /** TIME: `[unixSeconds, microseconds]` as text. */
  time: defineCommand({
    build: () => ['TIME'],
    transform: passThrough<[unixTimestamp: string, microseconds: string]>(),
  }),
  /** PUBLISH: posts `message` on `channel`; how many clients of that node (cluster-wide bus) received it. */
  publish: defineCommand({
    build: (channel: RedisArgument, message: RedisArgument) => ['PUBLISH', channel, message],
    transform: passThrough<number>(),
    // One node per channel (the master of the channel's slot): one publisher's messages keep their order.
    routeByArgument: 1,
  }),
  /** SPUBLISH: posts on a shard channel (routed by the channel's slot); how many clients received it. */
  sPublish: defineCommand({
    build: (channel: RedisArgument, message: RedisArgument) => ['SPUBLISH', channel, message],
    transform: passThrough<number>(),
  }),
};
