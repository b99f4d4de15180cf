import dc from 'node:diagnostics_channel';
import type { CommandTraceContext, ConnectTraceContext } from './trace-context.js';

/**
 * Names of the `node:diagnostics_channel` TracingChannels this client publishes. They follow
 * node-redis (`node-redis:command`, `node-redis:connect`) and ioredis (`ioredis:command`,
 * `ioredis:connect`): a subscriber written for those needs only the channel name.
 *
 * - `nest-redis-cluster:command`: one trace per command a user issues (single commands, and each
 *   command of a pipeline or a transaction, with `batchMode`/`batchSize`). Context:
 *   {@link CommandTraceContext}.
 * - `nest-redis-cluster:connect`: one trace per connection attempt (initial and reconnect).
 *   Context: {@link ConnectTraceContext}.
 *
 * Subscribe with `diagnostics_channel.tracingChannel(CHANNELS.COMMAND).subscribe({...})`.
 */
export const CHANNELS = {
  COMMAND: 'nest-redis-cluster:command',
  CONNECT: 'nest-redis-cluster:connect',
} as const;

/** The command TracingChannel (created once, at module load: publishing costs nothing without subscribers). @internal */
export const commandChannel: dc.TracingChannel<unknown, CommandTraceContext & object> = dc.tracingChannel(CHANNELS.COMMAND);

/** The connect TracingChannel. @internal */
export const connectChannel: dc.TracingChannel<unknown, ConnectTraceContext & object> = dc.tracingChannel(CHANNELS.CONNECT);

/**
 * True when anything listens on `channel`. Node 20.13+ has `TracingChannel.hasSubscribers`; on
 * older versions any of its five channels having a subscriber counts.
 * @internal
 */
export function isTraced(channel: dc.TracingChannel<unknown, object>): boolean {
  const flag = (channel as { hasSubscribers?: boolean }).hasSubscribers;
  if (flag !== undefined) return flag;
  return (
    channel.start.hasSubscribers || channel.end.hasSubscribers || channel.asyncStart.hasSubscribers || channel.asyncEnd.hasSubscribers || channel.error.hasSubscribers
  );
}
