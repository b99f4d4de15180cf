// Smart Client Handoffs against scripted nodes: no open-source Redis sends maintenance pushes, so two
// fake nodes (plus a third as the MOVING target) accept CLIENT MAINT_NOTIFICATIONS and push frames.
import { CommandTimeoutError, ConnectionClosedError, type RedisCluster, type RedisClusterOptions } from '../../lib/index.js';
import { keySlot } from '../../lib/engine/commands/key-slot.js';
import { CommandTimeoutDuringMaintenanceError } from '../../lib/engine/errors/base.error.js';
import { HandshakeRefusedError, SocketTimeoutDuringMaintenanceError } from '../../lib/engine/errors/connection.error.js';
import type { MaintenanceEvent, MaintenanceOptions } from '../../lib/engine/maintenance/types.js';
import type { FakeRedisServer, SlotRange } from './fake-redis-server.js';
import * as F from './resp-frames.js';
import { useFakeCluster } from './support/fake-cluster.js';

/** Node `a` serves slots 0–8191, node `b` 8192–16383. */
const fakes = useFakeCluster(2);

/** Records `maintenance` events (the event is not in ClusterEvents yet: see the maintenance report). */
class Events {
  readonly list: MaintenanceEvent[] = [];
  private waiters: Array<() => void> = [];

  constructor(cluster: RedisCluster) {
    (cluster as unknown as { on(event: string, fn: (e: MaintenanceEvent) => void): void }).on('maintenance', (event) => {
      this.list.push(event);
      for (const waiter of this.waiters.splice(0)) waiter();
    });
  }

  of(type: MaintenanceEvent['type']): MaintenanceEvent[] {
    return this.list.filter((e) => e.type === type);
  }

  async waitFor(type: MaintenanceEvent['type'], count = 1, timeoutMs = 3000): Promise<MaintenanceEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.of(type).length < count) {
      if (Date.now() > deadline) throw new Error(`no ${count}× ${type} event within ${timeoutMs} ms; got ${this.list.map((e) => e.type).join(',')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.of(type)[count - 1]!;
  }
}

async function connect(options: MaintenanceOptions & { commandTimeout?: number } = {}): Promise<{ cluster: RedisCluster; events: Events }> {
  const { commandTimeout, ...maintenance } = options;
  const all: Partial<RedisClusterOptions> = {
    defaults: { commandTimeout: commandTimeout ?? 300 },
    maintRelaxedCommandTimeout: 1500,
    ...maintenance,
  };
  const cluster = fakes.createClient(all);
  const events = new Events(cluster);
  await cluster.connect();
  return { cluster, events };
}

/** Id of the connection (on `fake`) that opted in to maintenance notifications, the n-th one (1-based). */
async function optedIn(fake: FakeRedisServer, n = 1): Promise<number> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const ids = [...new Set(fake.commands.filter((c) => c.argv[0]?.toUpperCase() === 'CLIENT' && c.argv[1]?.toUpperCase() === 'MAINT_NOTIFICATIONS').map((c) => c.connId))];
    if (ids.length >= n) return ids[n - 1]!;
    if (Date.now() > deadline) throw new Error(`fewer than ${n} opted-in connections on ${fake.address}`);
    await sleep(10);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function gets(fake: FakeRedisServer, connId?: number): number {
  return fake.commands.filter((c) => c.argv[0]?.toUpperCase() === 'GET' && (connId === undefined || c.connId === connId)).length;
}

/** A key whose slot is in [from, to]. */
function keyIn(from: number, to: number): string {
  for (let i = 0; ; i++) {
    const key = `key:${i}`;
    const slot = keySlot(key);
    if (slot >= from && slot <= to) return key;
  }
}

const keyOnA = keyIn(0, 8191);

/** Both nodes answer the opt-in as Redis 7.0 does. */
function refuseOptIn(): void {
  for (const fake of [fakes.a, fakes.b]) {
    fake.on('CLIENT', (argv) => (argv[1]?.toUpperCase() === 'MAINT_NOTIFICATIONS' ? F.error("ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP.") : undefined));
  }
}

function nodeA(cluster: RedisCluster) {
  return cluster.node(fakes.a.address)!;
}

describe('maintenance notifications against scripted nodes', () => {
  it('opts in on every main connection after HELLO 3, with the endpoint type picked for a plain 127.0.0.1', async () => {
    await connect();
    for (const fake of [fakes.a, fakes.b]) {
      const id = await optedIn(fake);
      const names = fake.commandNames(id);
      expect(names[0]).toBe('HELLO');
      const optIn = fake.commandsOn(id).find((c) => c.argv[1]?.toUpperCase() === 'MAINT_NOTIFICATIONS')!;
      expect(optIn.argv).toEqual(['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'external-ip']);
    }
  });

  it('sends the configured endpoint type, and nothing when disabled', async () => {
    await connect({ maintEndpointType: 'none' });
    expect(fakes.a.commands.find((c) => c.argv[1] === 'MAINT_NOTIFICATIONS')!.argv.at(-1)).toBe('none');
    await fakes.client!.destroy();
    const before = fakes.a.commands.length;
    await connect({ maintNotifications: 'disabled' });
    await fakes.client!.get(keyOnA).catch(() => undefined);
    expect(fakes.a.commands.slice(before).some((c) => c.argv[1]?.toUpperCase() === 'MAINT_NOTIFICATIONS')).toBe(false);
  });

  it('MIGRATING relaxes timeouts (a slow reply succeeds, a slower one rejects with CommandTimeoutDuringMaintenanceError); MIGRATED restores them', async () => {
    const { cluster, events } = await connect();
    const id = await optedIn(fakes.a);
    fakes.a.push(id, '>3\r\n+MIGRATING\r\n:1\r\n:10\r\n');
    const opened = await events.waitFor('MIGRATING');
    expect(opened).toMatchObject({ type: 'MIGRATING', node: fakes.a.address, seq: 1, connection: fakes.a.address, inMaintenance: true });
    expect(opened.notification).toEqual({ type: 'MIGRATING', seq: 1, timeSeconds: 10 });
    expect(nodeA(cluster).connection.inMaintenance).toBe(true);

    fakes.a.once('GET', () => ({ delayMs: 700, bytes: F.bulk('slow') }));
    const started = Date.now();
    expect(await cluster.get(keyOnA)).toBe('slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);

    fakes.a.once('GET', () => ({ delayMs: 1900, bytes: F.bulk('too-slow') }));
    const timedOut = await cluster.get(keyOnA).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(CommandTimeoutDuringMaintenanceError);
    expect((timedOut as CommandTimeoutDuringMaintenanceError).timeoutMs).toBe(1500);
    await sleep(500); // let the late reply arrive

    fakes.a.push(id, F.push([F.bulk('MIGRATED'), F.integer(1)]));
    const closed = await events.waitFor('MIGRATED');
    expect(closed).toMatchObject({ node: fakes.a.address, seq: 1, inMaintenance: false });
    expect(nodeA(cluster).connection.inMaintenance).toBe(false);

    fakes.a.once('GET', () => ({ delayMs: 700, bytes: F.bulk('slow') }));
    const normal = await cluster.get(keyOnA).catch((e: unknown) => e);
    expect(normal).toBeInstanceOf(CommandTimeoutError);
    expect(normal).not.toBeInstanceOf(CommandTimeoutDuringMaintenanceError);
    await sleep(500);
  });

  it('FAILING_OVER / FAILED_OVER open and close a window; a completion with no open window (a replay) is ignored', async () => {
    const { cluster, events } = await connect();
    const id = await optedIn(fakes.a);
    fakes.a.push(id, '>2\r\n+FAILED_OVER\r\n:7\r\n');
    fakes.a.push(id, '>3\r\n+FAILING_OVER\r\n:8\r\n:2\r\n');
    await events.waitFor('FAILING_OVER');
    expect(events.of('FAILED_OVER')).toHaveLength(0);
    expect(nodeA(cluster).connection.inMaintenance).toBe(true);
    fakes.a.push(id, '>2\r\n+FAILED_OVER\r\n:8\r\n');
    await events.waitFor('FAILED_OVER');
    expect(nodeA(cluster).connection.inMaintenance).toBe(false);
  });

  it('a completion replayed right after the opt-in reply is ignored; an opener pushed there is handled', async () => {
    let connections = 0;
    fakes.a.on('CLIENT', (argv) => {
      if (argv[1]?.toUpperCase() !== 'MAINT_NOTIFICATIONS') return undefined;
      // Enterprise replays its last completion to each new connection within milliseconds of the opt-in.
      return ++connections === 1 ? F.concat(F.simple('OK'), F.push([F.simple('MIGRATED'), F.integer(3)])) : F.concat(F.simple('OK'), F.push([F.simple('FAILING_OVER'), F.integer(4), F.integer(5)]));
    });
    const { cluster, events } = await connect();
    await sleep(100);
    expect(events.list).toEqual([]);
    expect(nodeA(cluster).connection.inMaintenance).toBe(false);
    // A new connection (after a lost socket) gets an opener straight after the opt-in: it relaxes.
    fakes.a.killConnection(await optedIn(fakes.a));
    fakes.a.on('GET', () => F.bulk('v'));
    expect(await cluster.get(keyOnA)).toBe('v');
    await events.waitFor('FAILING_OVER');
    expect(nodeA(cluster).connection.inMaintenance).toBe(true);
  });

  it('ignores a duplicate (type, seq) on a node; the same seq on another node counts there', async () => {
    const { cluster, events } = await connect();
    const idA = await optedIn(fakes.a);
    const idB = await optedIn(fakes.b);
    const migrating = '>3\r\n+MIGRATING\r\n:5\r\n:10\r\n';
    fakes.a.push(idA, migrating);
    fakes.a.push(idA, migrating);
    await events.waitFor('MIGRATING');
    fakes.a.push(idA, '>2\r\n+MIGRATED\r\n:5\r\n');
    await events.waitFor('MIGRATED');
    fakes.a.push(idA, migrating); // a replay of an event already handled: stays out of maintenance
    fakes.b.push(idB, migrating);
    await events.waitFor('MIGRATING', 2);
    await sleep(100);
    expect(events.of('MIGRATING').map((e) => e.node)).toEqual([fakes.a.address, fakes.b.address]);
    expect(nodeA(cluster).connection.inMaintenance).toBe(false);
    expect(cluster.node(fakes.b.address)!.connection.inMaintenance).toBe(true);
  });

  it('MOVING hands the connection over: in-flight commands get their replies from the old node, new ones go to the new endpoint', async () => {
    const target = await fakes.startExtra();
    target.setSlots(fakes.table());
    target.on('GET', () => F.bulk('from-new'));
    const { cluster, events } = await connect();
    const id = await optedIn(fakes.a);
    // The first reply is held past commandTimeout (300 ms): the others wait behind it, as on Redis.
    fakes.a.once('GET', () => ({ delayMs: 450, bytes: F.bulk('from-old') }));
    fakes.a.on('GET', () => F.bulk('from-old'));
    const inflight = Array.from({ length: 5 }, () => cluster.get(keyOnA));
    await fakes.a.waitForCommand('GET', (_argv, c) => gets(fakes.a, c.connId) === 5);
    fakes.a.push(id, `>4\r\n+MOVING\r\n:10\r\n:15\r\n+${target.address}\r\n`);
    const moving = await events.waitFor('MOVING');
    expect(moving).toMatchObject({ node: fakes.a.address, seq: 10, handoffTo: target.address, inMaintenance: true });
    // The node keeps its topology address; its connection now points at the new endpoint, relaxed.
    expect(nodeA(cluster).connection.address).toBe(target.address);
    expect(nodeA(cluster).connection.inMaintenance).toBe(true);
    const after = Array.from({ length: 3 }, () => cluster.get(keyOnA));
    expect(await Promise.all(inflight)).toEqual(Array(5).fill('from-old'));
    expect(await Promise.all(after)).toEqual(Array(3).fill('from-new'));
    expect(gets(fakes.a)).toBe(5);
    expect(gets(target)).toBe(3);
    await fakes.a.waitForCommand('QUIT', (_argv, c) => c.connId === id);
    const settled = await events.waitFor('HANDOFF_SETTLED');
    expect(settled).toMatchObject({ node: fakes.a.address, seq: 10, handoffTo: target.address, inMaintenance: false });
    expect(nodeA(cluster).connection.inMaintenance).toBe(false);
    // The new connection opted in too (a later MOVING would reach it).
    expect(target.commands.some((c) => c.argv[1] === 'MAINT_NOTIFICATIONS')).toBe(true);
  });

  it('MOVING with a null endpoint reconnects to the same endpoint after half the announced time', async () => {
    const { cluster, events } = await connect({ maintEndpointType: 'none' });
    const id = await optedIn(fakes.a);
    fakes.a.on('GET', (_argv, ctx) => F.bulk(`conn-${ctx.connId}`));
    const pushedAt = Date.now();
    fakes.a.push(id, '>4\r\n+MOVING\r\n:11\r\n:4\r\n_\r\n');
    const moving = await events.waitFor('MOVING');
    expect(moving).toMatchObject({ seq: 11, handoffTo: fakes.a.address, notification: { endpoint: null, timeSeconds: 4 } });
    // Before half the time (2 s, room for a slow machine): still the old connection.
    expect(await cluster.get(keyOnA)).toBe(`conn-${id}`);
    const next = await optedIn(fakes.a, 2);
    expect(Date.now() - pushedAt).toBeGreaterThanOrEqual(1950);
    await events.waitFor('HANDOFF_SETTLED');
    expect(await cluster.get(keyOnA)).toBe(`conn-${next}`);
    expect(fakes.a.connections.find((c) => c.id === id)!.alive).toBe(false);
  });

  it('SMIGRATING relaxes; SMIGRATED (broadcast by every node) refreshes the slot map once and routing follows', async () => {
    const { cluster, events } = await connect();
    const idA = await optedIn(fakes.a);
    const idB = await optedIn(fakes.b);
    const key = keyIn(4096, 8191);
    const slot = keySlot(key);
    expect(cluster.getSlotMaster(slot)!.port).toBe(fakes.a.port);
    fakes.a.push(idA, '>3\r\n+SMIGRATING\r\n:20\r\n+4096-8191\r\n');
    await events.waitFor('SMIGRATING');
    expect(nodeA(cluster).connection.inMaintenance).toBe(true);

    const moved: SlotRange[] = [
      { start: 0, end: 4095, master: { host: '127.0.0.1', port: fakes.a.port } },
      { start: 4096, end: 16383, master: { host: '127.0.0.1', port: fakes.b.port } },
    ];
    fakes.a.setSlots(moved);
    fakes.b.setSlots(moved);
    const asked = () => [fakes.a, fakes.b].flatMap((f) => f.commandNames()).filter((n) => n === 'CLUSTER SHARDS' || n === 'CLUSTER SLOTS').length;
    const askedBefore = asked();
    const smigrated = `>3\r\n+SMIGRATED\r\n:21\r\n*1\r\n*3\r\n+${fakes.a.address}\r\n+${fakes.b.address}\r\n+4096-8191\r\n`;
    fakes.a.push(idA, smigrated);
    fakes.b.push(idB, smigrated);
    await events.waitFor('SMIGRATED', 2);
    const deadline = Date.now() + 3000;
    while (cluster.getSlotMaster(slot)!.port !== fakes.b.port && Date.now() < deadline) await sleep(20);
    expect(cluster.getSlotMaster(slot)!.port).toBe(fakes.b.port);
    expect(asked()).toBeGreaterThan(askedBefore);
    expect(nodeA(cluster).connection.inMaintenance).toBe(false);
    expect(events.of('SMIGRATED')[0]!.notification).toEqual({
      type: 'SMIGRATED',
      seq: 21,
      migrations: [{ source: { host: '127.0.0.1', port: fakes.a.port }, destination: { host: '127.0.0.1', port: fakes.b.port }, slots: [[4096, 8191]] }],
    });

    fakes.b.on('GET', () => F.bulk('from-b'));
    fakes.a.on('GET', () => F.error(`MOVED ${slot} ${fakes.b.address}`));
    expect(await cluster.get(key)).toBe('from-b');
    expect(cluster.stats().moved).toBe(0);
  });

  it('a window whose closing notification never comes is closed by the backstop (2 × the relaxed timeout)', async () => {
    const { cluster, events } = await connect({ maintRelaxedCommandTimeout: 200 });
    const id = await optedIn(fakes.a);
    const openedAt = Date.now();
    fakes.a.push(id, '>3\r\n+MIGRATING\r\n:30\r\n:0\r\n');
    await events.waitFor('MIGRATING');
    expect(nodeA(cluster).connection.inMaintenance).toBe(true);
    const expired = await events.waitFor('WINDOW_EXPIRED');
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(390);
    expect(expired).toMatchObject({ node: fakes.a.address, seq: 30, inMaintenance: false });
    expect(nodeA(cluster).connection.inMaintenance).toBe(false);
  });

  it('a socket with commands in flight that receives nothing for maintRelaxedSocketTimeout fails with SocketTimeoutDuringMaintenanceError and reconnects', async () => {
    const { cluster, events } = await connect({ maintRelaxedCommandTimeout: 5000, maintRelaxedSocketTimeout: 400 });
    const id = await optedIn(fakes.a);
    fakes.a.push(id, '>3\r\n+MIGRATING\r\n:40\r\n:10\r\n');
    await events.waitFor('MIGRATING');
    fakes.a.once('SET', () => ({ delayMs: 4000, bytes: F.simple('OK') }));
    const started = Date.now();
    const error = await cluster.set(keyOnA, 'v').catch((e: unknown) => e);
    // Well before the delayed reply (4 s) and the relaxed command timeout (5 s): the socket timeout ended it.
    expect(Date.now() - started).toBeLessThan(3500);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).cause).toBeInstanceOf(SocketTimeoutDuringMaintenanceError);
    await events.waitFor('SOCKET_TIMEOUT');
    const next = await optedIn(fakes.a, 2);
    fakes.a.on('GET', (_argv, ctx) => F.bulk(`conn-${ctx.connId}`));
    expect(await cluster.get(keyOnA)).toBe(`conn-${next}`);
    // The fresh connection is still in the window: relaxed.
    expect(nodeA(cluster).connection.inMaintenance).toBe(true);
  });

  it("'auto' carries on when the server refuses the opt-in", async () => {
    refuseOptIn();
    fakes.a.on('GET', () => F.bulk('ok'));
    const { cluster } = await connect();
    expect(await cluster.get(keyOnA)).toBe('ok');
    expect(fakes.a.commands.some((c) => c.argv[1] === 'MAINT_NOTIFICATIONS')).toBe(true);
  });

  it("'enabled' fails the node connection fast with HandshakeRefusedError naming maintNotifications, without a reconnect loop", async () => {
    refuseOptIn();
    const nodeErrors: Error[] = [];
    const started = Date.now();
    const connecting = connect({ maintNotifications: 'enabled' }).catch((e: unknown) => e);
    fakes.client!.on('node-error', (error) => nodeErrors.push(error));
    const error = await connecting;
    const refused = nodeErrors.find((e) => e instanceof HandshakeRefusedError);
    expect(refused).toBeInstanceOf(HandshakeRefusedError);
    expect(refused!.message).toMatch(/maintNotifications is 'enabled'/);
    expect(refused!.message).toMatch(/unknown subcommand/);
    expect(error).toBeInstanceOf(Error);
    // Fast (the refusal is final, not retried); the absence of a reconnect loop is checked below.
    expect(Date.now() - started).toBeLessThan(3000);
    // No reconnect loop: the refused connection is not opened again (a topology refresh may open a
    // seed connection, which does not opt in).
    const optIns = () => fakes.a.commands.filter((c) => c.argv[1]?.toUpperCase() === 'MAINT_NOTIFICATIONS').length;
    const before = optIns();
    await sleep(300);
    expect(optIns()).toBe(before);
    expect(before).toBe(1);
  });

  it("'enabled': connect() rejects with HandshakeRefusedError naming maintNotifications", async () => {
    refuseOptIn();
    const error = await connect({ maintNotifications: 'enabled' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect((error as Error).message).toMatch(/maintNotifications/);
  });
});
