import type { ConnectionPlugin, PluginHost } from '../cluster/connection-plugin.js';
import type { ClusterNode } from '../cluster/cluster-node.js';
import type { NodeConnection } from '../connection/node-connection.js';
import { ProtocolError } from '../errors/base.error.js';
import { SocketTimeoutDuringMaintenanceError } from '../errors/connection.error.js';
import type { RespValue } from '../resp/types.js';
import { SeqDeduper } from './dedup.js';
import { HostAddresses, optInStep } from './opt-in.js';
import { parseMaintenancePush } from './push-parser.js';
import { SlotMigrationFollower } from './slot-migration.js';
import type { MaintenanceEvent, MaintenanceNotification, ResolvedMaintenanceOptions } from './types.js';
import { backstopMs, closedWindow, NodeWindows, openedWindow, socketCheckInterval, socketStalled } from './windows.js';

/** The maintenance plugin as the cluster client sees it. @internal */
export interface MaintenanceConnectionPlugin extends ConnectionPlugin {
  /** Addresses (`host:port`, as the topology names them) of the nodes in a maintenance window now. */
  inMaintenance(): string[];
}

/** Per-node state: windows, the node's live main connections, seen notifications, timers. */
interface NodeEntry {
  readonly node: ClusterNode;
  readonly windows: NodeWindows;
  readonly connections: Set<NodeConnection>;
  readonly dedup: SeqDeduper;
  readonly busySince: Map<NodeConnection, number>;
  backstop: NodeJS.Timeout | undefined;
  delayedMove: NodeJS.Timeout | undefined;
  socketCheck: NodeJS.Timeout | undefined;
  /** Seq of the latest notification (named by synthetic events). */
  lastSeq: number;
}

/** The connection's time of last read (epoch ms; 0 without a socket). */
function lastReadOf(connection: NodeConnection): number | undefined {
  return connection.lastReadAt;
}

/**
 * Smart Client Handoffs: opts every main connection in to maintenance notifications, relaxes the
 * timeouts of a node's connections while a window is open, hands a node's connection over on
 * MOVING, follows SMIGRATED with a topology refresh, and emits `maintenance` events.
 * @internal
 */
export class MaintenancePlugin implements MaintenanceConnectionPlugin {
  private readonly nodes = new Map<string, NodeEntry>();
  /** SMIGRATED is broadcast by every node: the slot map is updated once per seq. */
  private readonly slotMoves = new SeqDeduper();
  private readonly slotFollower: SlotMigrationFollower;
  /** Resolved host names, for `maintEndpointType: 'auto'`. */
  private readonly addresses = new HostAddresses();
  private closed = false;

  constructor(
    private readonly options: ResolvedMaintenanceOptions,
    private readonly host: PluginHost,
  ) {
    this.slotFollower = new SlotMigrationFollower(host);
  }

  attach(connection: NodeConnection, node: ClusterNode, kind: 'main' | 'dedicated'): void {
    // Blocking and pub/sub connections are outside Smart Client Handoffs; RESP2 has no pushes.
    if (kind !== 'main' || this.closed || connection.options.RESP !== 3) return;
    const entry = this.entryFor(node);
    entry.connections.add(connection);
    if (this.options.endpointType === 'auto') this.addresses.resolve(connection.options.host);
    const options = connection.options;
    connection.addHandshakeExtension({ steps: () => [optInStep(this.options, options, this.addresses.addressOf(options.host))] });
    connection.on('push', (frame) => this.onPush(entry, connection, frame));
    connection.on('end', () => this.detach(entry, connection));
    if (entry.windows.active) connection.relaxTimeouts(this.options.relaxedCommandTimeout);
  }

  inMaintenance(): string[] {
    return [...this.nodes.values()].filter((entry) => entry.windows.active).map((entry) => entry.node.address);
  }

  close(): void {
    this.closed = true;
    for (const entry of this.nodes.values()) this.clearTimers(entry);
    this.nodes.clear();
    this.slotFollower.close();
  }

  // ---- notifications ---------------------------------------------------------------------------

  private onPush(entry: NodeEntry, connection: NodeConnection, frame: RespValue[]): void {
    if (this.closed) return;
    let notification: MaintenanceNotification | undefined;
    try {
      notification = parseMaintenancePush(frame);
    } catch (error) {
      this.host.error(new ProtocolError(`${connection.address}: ${(error as Error).message} (ignored)`, { cause: error }));
      return;
    }
    if (!notification || !entry.dedup.firstTime(notification.type, notification.seq)) return;
    entry.lastSeq = notification.seq;
    const opened = openedWindow(notification.type);
    const closed = closedWindow(notification.type);
    if (notification.type === 'MOVING') {
      if (!this.onMoving(entry, connection, notification)) return this.emit(entry, connection, notification);
    } else if (opened) {
      const time = 'timeSeconds' in notification ? notification.timeSeconds : undefined;
      entry.windows.start(opened, notification.seq, Date.now() + backstopMs(this.options.relaxedCommandTimeout, time));
    } else if (closed) {
      // A completion for a window we never saw is a replay (servers repeat the last one to new
      // connections, even hours later): no relaxation to undo, no event.
      if (!entry.windows.end(closed) && notification.type !== 'SMIGRATED') return;
    }
    if (notification.type === 'SMIGRATED' && this.slotMoves.firstTime('SMIGRATED', notification.seq)) {
      this.slotFollower.follow(notification.migrations);
    }
    this.sync(entry);
    this.emit(entry, connection, notification);
  }

  /**
   * MOVING: relax, then hand the node's connection over to the new endpoint (at once), or to the
   * current one after half the announced time when the endpoint is null. False when the
   * notification came on a connection that is no longer the node's (already handed over).
   */
  private onMoving(entry: NodeEntry, connection: NodeConnection, n: Extract<MaintenanceNotification, { type: 'MOVING' }>): boolean {
    if (entry.node.connection !== connection) return false;
    entry.windows.start('handoff', n.seq, Date.now() + backstopMs(this.options.relaxedCommandTimeout, n.timeSeconds));
    if (entry.delayedMove) clearTimeout(entry.delayedMove);
    entry.delayedMove = undefined;
    const target = n.endpoint ?? { host: connection.options.host, port: connection.options.port };
    const go = () => this.handoff(entry, connection, target.host, target.port, n.seq);
    if (n.endpoint) go();
    else {
      entry.delayedMove = setTimeout(() => {
        entry.delayedMove = undefined;
        go();
      }, Math.max(0, (n.timeSeconds * 1000) / 2));
    }
    return true;
  }

  private handoff(entry: NodeEntry, from: NodeConnection, host: string, port: number, seq: number): void {
    if (this.closed || entry.node.connection !== from) return;
    // The old connection must be ready, or closing it would drop its queued commands.
    if (!from.isReady) {
      const retry = () => {
        from.off('end', retry);
        from.off('ready', retry);
        if (from.isReady) this.handoff(entry, from, host, port, seq);
        else this.settle(entry, seq);
      };
      from.once('ready', retry);
      from.once('end', retry);
      return;
    }
    const oldEnded = new Promise<void>((resolve) => from.once('end', resolve));
    // attach() runs for the new connection inside handoff() and relaxes it (the window is open).
    const next = entry.node.handoff(host, port);
    Promise.all([next.connect(), oldEnded]).then(
      () => {
        if (entry.windows.seqOf('handoff') !== seq) return;
        this.settle(entry, seq);
        this.emit(entry, next, undefined, 'HANDOFF_SETTLED', seq);
      },
      () => this.settle(entry, seq),
    );
  }

  /** Ends the handoff window opened by MOVING `seq` (unless a later MOVING replaced it). */
  private settle(entry: NodeEntry, seq: number): void {
    if (entry.windows.seqOf('handoff') !== seq) return;
    entry.windows.end('handoff');
    this.sync(entry);
  }

  // ---- relaxation, backstop, socket check ------------------------------------------------------

  /** Applies the node's state to its connections and (re)arms the backstop and socket check. */
  private sync(entry: NodeEntry): void {
    if (this.closed) return;
    const active = entry.windows.active;
    for (const connection of entry.connections) {
      if (active) connection.relaxTimeouts(this.options.relaxedCommandTimeout);
      else if (connection.inMaintenance) connection.restoreTimeouts();
    }
    if (entry.backstop) clearTimeout(entry.backstop);
    entry.backstop = undefined;
    const deadline = entry.windows.nextDeadline();
    if (deadline !== undefined) {
      entry.backstop = setTimeout(() => this.expire(entry), Math.max(0, deadline - Date.now()));
      entry.backstop.unref();
    }
    const checking = active && this.options.relaxedSocketTimeout > 0;
    if (checking && !entry.socketCheck) {
      entry.socketCheck = setInterval(() => this.checkSockets(entry), socketCheckInterval(this.options.relaxedSocketTimeout));
      entry.socketCheck.unref();
    } else if (!checking && entry.socketCheck) {
      clearInterval(entry.socketCheck);
      entry.socketCheck = undefined;
      entry.busySince.clear();
    }
  }

  private expire(entry: NodeEntry): void {
    entry.backstop = undefined;
    const expired = entry.windows.expire(Date.now());
    this.sync(entry);
    const connection = entry.node.connection;
    for (const { seq } of expired) this.emit(entry, connection, undefined, 'WINDOW_EXPIRED', seq);
  }

  private checkSockets(entry: NodeEntry): void {
    const now = Date.now();
    for (const connection of [...entry.connections]) {
      const lastRead = lastReadOf(connection);
      if (lastRead === undefined || connection.inflightCount === 0 || !connection.isReady) {
        entry.busySince.delete(connection);
        continue;
      }
      const busySince = entry.busySince.get(connection) ?? now;
      entry.busySince.set(connection, busySince);
      if (!socketStalled(now, lastRead, busySince, this.options.relaxedSocketTimeout)) continue;
      entry.busySince.delete(connection);
      this.failSocket(entry, connection);
    }
  }

  /** Fails a stalled socket: the node gets a fresh connection to the same endpoint, the stalled one's commands reject. */
  private failSocket(entry: NodeEntry, connection: NodeConnection): void {
    const ms = this.options.relaxedSocketTimeout;
    const error = new SocketTimeoutDuringMaintenanceError(
      connection.address,
      `no data received for ${ms} ms with ${connection.inflightCount} command(s) in flight during a maintenance window (maintRelaxedSocketTimeout)`,
    );
    if (entry.node.connection === connection) {
      const next = entry.node.handoff(connection.options.host, connection.options.port);
      next.connect().catch(() => undefined);
    }
    void connection.destroy(error);
    this.host.error(error);
    this.emit(entry, connection, undefined, 'SOCKET_TIMEOUT', entry.lastSeq);
  }

  // ---- bookkeeping -----------------------------------------------------------------------------

  private entryFor(node: ClusterNode): NodeEntry {
    const known = this.nodes.get(node.address);
    if (known?.node === node) return known;
    if (known) this.clearTimers(known);
    const entry: NodeEntry = {
      node,
      windows: new NodeWindows(),
      connections: new Set(),
      dedup: new SeqDeduper(),
      busySince: new Map(),
      backstop: undefined,
      delayedMove: undefined,
      socketCheck: undefined,
      lastSeq: 0,
    };
    this.nodes.set(node.address, entry);
    return entry;
  }

  private detach(entry: NodeEntry, connection: NodeConnection): void {
    entry.connections.delete(connection);
    entry.busySince.delete(connection);
    if (entry.connections.size > 0 || this.nodes.get(entry.node.address) !== entry) return;
    this.clearTimers(entry);
    this.nodes.delete(entry.node.address);
  }

  private clearTimers(entry: NodeEntry): void {
    if (entry.backstop) clearTimeout(entry.backstop);
    if (entry.delayedMove) clearTimeout(entry.delayedMove);
    if (entry.socketCheck) clearInterval(entry.socketCheck);
    entry.backstop = entry.delayedMove = entry.socketCheck = undefined;
  }

  private emit(entry: NodeEntry, connection: NodeConnection, notification?: MaintenanceNotification, type?: MaintenanceEvent['type'], seq?: number): void {
    if (this.closed) return;
    const moving = notification?.type === 'MOVING' ? (notification.endpoint ?? { host: connection.options.host, port: connection.options.port }) : undefined;
    const event: MaintenanceEvent = {
      type: type ?? notification!.type,
      node: entry.node.address,
      seq: seq ?? notification!.seq,
      connection: connection.address,
      inMaintenance: entry.windows.active,
      ...(notification ? { notification } : {}),
      ...(moving ? { handoffTo: `${moving.host}:${moving.port}` } : type === 'HANDOFF_SETTLED' ? { handoffTo: connection.address } : {}),
    };
    this.host.emit('maintenance', event);
  }
}
