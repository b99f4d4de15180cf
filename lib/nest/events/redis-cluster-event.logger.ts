import { Logger } from '@nestjs/common';
import type { RedisCluster } from '../../engine/cluster/cluster-client.js';
import type { TopologyDiff } from '../../engine/cluster/node-registry.js';
import { keySlot } from '../../engine/commands/key-slot.js';
import type { MaintenanceEvent } from '../../engine/maintenance/types.js';
import type { ShardedChannelMoved, ShardedChannelsUnplaced } from '../../engine/pubsub/pubsub-host.js';
import type { ReAuthenticationError } from '../../engine/auth/credentials.errors.js';
import { channelMovedMessage, channelMovedSummaryMessage, channelsUnplacedMessage, maintenanceSummaryMessage, maintenanceWindowMessage } from '../pubsub/pubsub.messages.js';
import type { ResolvedLoggingOptions } from '../redis-cluster-options.resolver.js';
import { LOGGER_CONTEXT } from '../redis-cluster.constants.js';
import { ErrorLogThrottle, type ThrottledLine } from './error-log-throttle.js';

function describeDiff(diff: TopologyDiff): string {
  const parts: string[] = [];
  if (diff.added.length) parts.push(`added ${diff.added.join(', ')}`);
  if (diff.removed.length) parts.push(`removed ${diff.removed.join(', ')}`);
  if (diff.roleChanged.length) parts.push(`role changed ${diff.roleChanged.join(', ')}`);
  return parts.length ? parts.join('; ') : 'slots moved';
}

function summary(line: ThrottledLine, what: string): string {
  return line.suppressed === 0
    ? `${what}: ${line.message}`
    : `${what}: ${line.suppressed} more in the last ${Math.round(line.windowMs / 1000)} s (last: ${line.message})`;
}

/**
 * Logs a cluster client's events through Nest's Logger without storms: node errors and
 * reconnects are throttled per node, cluster errors per cluster, sharded channel moves per
 * destination node (warn, with the time the channel was unsubscribed), maintenance windows per
 * node and direction (log: opened / closed).
 * @internal
 */
export class RedisClusterEventLogger {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly errors: ErrorLogThrottle;
  private readonly reconnects: ErrorLogThrottle;
  private readonly channelMoves: ErrorLogThrottle;
  private readonly maintenanceWindows: ErrorLogThrottle;
  /** Nodes known to be in a maintenance window (from the events seen). */
  private readonly inMaintenance = new Set<string>();
  private detach: (() => void) | undefined;

  constructor(
    private readonly name: string,
    private readonly options: ResolvedLoggingOptions,
  ) {
    const prefix = `Redis cluster "${name}"`;
    this.errors = new ErrorLogThrottle(options.errorSummaryInterval, (line) =>
      line.key === '*' ? this.logger.error(summary(line, `${prefix} error`)) : this.logger.warn(summary(line, `${prefix} node ${line.key} error`)),
    );
    this.reconnects = new ErrorLogThrottle(options.errorSummaryInterval, (line) =>
      this.logger.debug(summary(line, `${prefix} node ${line.key} reconnecting`)),
    );
    this.channelMoves = new ErrorLogThrottle(options.errorSummaryInterval, (line) =>
      this.logger.warn(line.suppressed === 0 ? line.message : channelMovedSummaryMessage(name, line.key, line.suppressed, line.windowMs, line.message)),
    );
    this.maintenanceWindows = new ErrorLogThrottle(options.errorSummaryInterval, (line) => {
      const separator = line.key.lastIndexOf('|');
      const node = line.key.slice(0, separator);
      const opened = line.key.slice(separator + 1) === 'opened';
      this.logger.log(line.suppressed === 0 ? line.message : maintenanceSummaryMessage(name, node, opened, line.suppressed, line.windowMs));
    });
  }

  attach(client: RedisCluster): void {
    const { errors, events } = this.options;
    const onError = (error: Error) => this.errors.report('*', error.message);
    const onNodeError = (error: Error, address: string) => this.errors.report(address, error.message);
    const onReconnecting = (address: string, info: { attempt: number; delayMs: number }) =>
      this.reconnects.report(address, `attempt ${info.attempt} in ${info.delayMs} ms`);
    // The first topology (loaded while connecting) is reported by the "ready" line, not as a change.
    let connected = false;
    const onConnect = () => {
      connected = true;
    };
    const onTopology = (diff: TopologyDiff) => {
      if (connected) this.logger.log(`Redis cluster "${this.name}" topology changed: ${describeDiff(diff)}`);
    };
    const onChannelMoved = (channel: string, info: ShardedChannelMoved) =>
      this.channelMoves.report(info.to, channelMovedMessage(this.name, keySlot(channel), info));
    // Unplaced sharded channels: a warning per slot (throttled with the moves, keyed by slot).
    const onUnplaced = (channels: readonly string[], info: ShardedChannelsUnplaced) =>
      this.channelMoves.report(`slot ${info.slot}`, channelsUnplacedMessage(this.name, channels.length, info));
    const onMaintenance = (event: MaintenanceEvent) => this.maintenance(event);
    // A refused re-authentication: the connection keeps its old identity (throttled per node).
    const onReauthError = (error: ReAuthenticationError) => this.errors.report(error.address, error.message);
    const onReauthenticated = (address: string, info: { durationMs: number }) =>
      this.logger.debug(`Redis cluster "${this.name}" node ${address} re-authenticated in ${info.durationMs} ms`);
    if (errors) client.on('error', onError).on('node-error', onNodeError).on('reauthentication-error', onReauthError);
    if (events) {
      client
        .on('connect', onConnect)
        .on('node-reconnecting', onReconnecting)
        .on('topology-change', onTopology)
        .on('sharded-channel-moved', onChannelMoved)
        .on('sharded-channels-unplaced', onUnplaced)
        .on('maintenance', onMaintenance)
        .on('node-reauthenticated', onReauthenticated);
    }
    this.detach = () => {
      client
        .off('error', onError)
        .off('node-error', onNodeError)
        .off('reauthentication-error', onReauthError)
        .off('connect', onConnect)
        .off('node-reconnecting', onReconnecting)
        .off('topology-change', onTopology)
        .off('sharded-channel-moved', onChannelMoved)
        .off('sharded-channels-unplaced', onUnplaced)
        .off('maintenance', onMaintenance)
        .off('node-reauthenticated', onReauthenticated);
    };
  }

  /** Logs the opening and the closing of a node's maintenance window (not every notification). */
  private maintenance(event: MaintenanceEvent): void {
    const was = this.inMaintenance.has(event.node);
    if (event.inMaintenance === was) return;
    if (event.inMaintenance) this.inMaintenance.add(event.node);
    else this.inMaintenance.delete(event.node);
    const direction = event.inMaintenance ? 'opened' : 'closed';
    this.maintenanceWindows.report(`${event.node}|${direction}`, maintenanceWindowMessage(this.name, event.node, event.inMaintenance, event.type));
  }

  /** Logs at `log` level unless events are silenced. */
  info(message: string): void {
    if (this.options.events) this.logger.log(message);
  }

  /** Logs at `warn` level unless errors are silenced. */
  warn(message: string): void {
    if (this.options.errors) this.logger.warn(message);
  }

  /** Flushes pending summaries, stops listening and clears the throttles' timers. */
  dispose(): void {
    this.detach?.();
    this.detach = undefined;
    this.errors.dispose();
    this.reconnects.dispose();
    this.channelMoves.dispose();
    this.maintenanceWindows.dispose();
    this.inMaintenance.clear();
  }
}
