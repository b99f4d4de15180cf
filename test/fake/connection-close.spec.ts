// What a node connection leaves behind and reports when it closes: no timer it created outlives
// close()/destroy() (the close fallback, the LOADING re-check, the liveness check, deadlines), no
// event after 'end', 'end' once, and commands already written to a retired or handed-off connection
// reject with ConnectionClosedError { mayHaveRun: true }, never ClientClosedError.
import { jest } from '@jest/globals';
import { NodeConnection } from '../../lib/engine/connection/node-connection.js';
import { ClientClosedError } from '../../lib/engine/errors/base.error.js';
import { ConnectionClosedError, NodeRemovedError } from '../../lib/engine/errors/connection.error.js';
import * as F from './resp-frames.js';
import { useFakeNode } from './support/fake-node.js';

const fake = useFakeNode();

/** Timers created through the global setTimeout while the spy is on, and whether each is still live. */
class TimerTracker {
  private readonly live = new Set<NodeJS.Timeout>();
  private readonly spies: Array<{ mockRestore(): void }> = [];

  start(): void {
    const realSet = globalThis.setTimeout;
    const realClear = globalThis.clearTimeout;
    const live = this.live;
    this.spies.push(
      jest.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
        const handle: NodeJS.Timeout = realSet(
          (...a: unknown[]) => {
            live.delete(handle);
            fn(...a);
          },
          ms,
          ...args,
        );
        live.add(handle);
        return handle;
      }) as never),
      jest.spyOn(globalThis, 'clearTimeout').mockImplementation(((handle: NodeJS.Timeout | undefined) => {
        if (handle) live.delete(handle);
        realClear(handle);
      }) as never),
    );
  }

  stop(): void {
    for (const spy of this.spies.splice(0)) spy.mockRestore();
  }

  get liveCount(): number {
    return this.live.size;
  }
}

describe('closing a node connection', () => {
  it('a command written to a retired connection that never gets its reply rejects with ConnectionClosedError mayHaveRun (not ClientClosedError)', async () => {
    fake.server.on('GET', () => ({ noReply: true }));
    fake.server.on('QUIT', () => ({ noReply: true }));
    const c = fake.open({ commandTimeout: 0 });
    await c.connect();
    const written = c.sendCommand(['GET', 'k']).catch((e: unknown) => e);
    await fake.server.waitForCommand('GET');
    const unsentLater = c.sendCommand(['GET', 'later']).catch((e: unknown) => e);
    const reason = new NodeRemovedError(c.address, 'the node left the cluster topology');
    await c.retire(reason);
    const error = await written;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).not.toBeInstanceOf(ClientClosedError);
    expect((error as ConnectionClosedError).mayHaveRun).toBe(true);
    // Not yet written when retired: rejected with the reason (the cluster re-routes it).
    expect(await unsentLater).toBe(reason);
  });

  it('after a hand-off (close() of a connection with commands in flight), a reply that never comes rejects with mayHaveRun', async () => {
    fake.server.on('GET', () => ({ noReply: true }));
    fake.server.on('QUIT', () => ({ noReply: true }));
    const c = fake.open({ commandTimeout: 0 });
    await c.connect();
    const written = c.sendCommand(['GET', 'k']).catch((e: unknown) => e);
    await c.close();
    const error = await written;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as ConnectionClosedError).mayHaveRun).toBe(true);
  });

  it('emits end exactly once and nothing after it, whatever close/destroy calls follow', async () => {
    const c = fake.open();
    await c.connect();
    const events: string[] = [];
    for (const name of ['end', 'error', 'push', 'ready', 'reconnecting', 'connect'] as const) c.on(name, () => events.push(name));
    await Promise.all([c.close(), c.destroy(), c.close()]);
    await c.destroy(new Error('again'));
    expect(events).toEqual(['end']);
    await expect(c.sendCommand(['PING'])).rejects.toBeInstanceOf(ClientClosedError);
    expect(events).toEqual(['end']);
  });

  it('an error listener that destroys the connection stops the reconnection (no timer, no second end)', async () => {
    fake.server.on('GET', () => ({ close: true }));
    const tracker = new TimerTracker();
    const c = fake.open({ commandTimeout: 0 });
    await c.connect();
    const ends: number[] = [];
    c.on('end', () => ends.push(1));
    tracker.start();
    try {
      c.once('error', () => void c.destroy());
      await c.sendCommand(['GET', 'k']).catch(() => undefined);
      await c.destroy();
      expect(tracker.liveCount).toBe(0);
    } finally {
      tracker.stop();
    }
    expect(ends).toHaveLength(1);
    expect(c.isOpen).toBe(false);
  });

  it('no timer the connection created outlives close(): liveness, deadlines, ping, close fallback', async () => {
    fake.server.on('GET', () => F.bulk('v'));
    const tracker = new TimerTracker();
    tracker.start();
    try {
      const c = fake.open({ commandTimeout: 5000, pingInterval: 1000, socket: { host: '127.0.0.1', port: fake.server.port, livenessTimeout: 3000 } });
      await c.connect();
      expect(await c.sendCommand(['GET', 'k'])).toBe('v');
      expect(tracker.liveCount).toBeGreaterThan(0); // deadline, liveness and ping timers are armed
      await c.close();
      expect(tracker.liveCount).toBe(0);
    } finally {
      tracker.stop();
    }
  });

  it('destroy() while the server answers LOADING cancels the re-check timer', async () => {
    fake.server.on('PING', () => F.error('LOADING Redis is loading the dataset in memory'));
    const tracker = new TimerTracker();
    tracker.start();
    try {
      const c = fake.open({ socket: { host: '127.0.0.1', port: fake.server.port, connectTimeout: 0 } });
      const connecting = c.connect().catch((e: unknown) => e);
      // Wait until the ready check was re-sent at least once (the re-check timer ran and re-armed).
      await new Promise<void>((resolve) => {
        const poll = (): void => {
          if (fake.server.commandNames().filter((n) => n === 'PING').length >= 2) resolve();
          else setImmediate(poll);
        };
        poll();
      });
      await c.destroy();
      expect(await connecting).toBeInstanceOf(ClientClosedError);
      expect(tracker.liveCount).toBe(0);
    } finally {
      tracker.stop();
    }
  });
});

describe('opening a node connection', () => {
  it('unusable TLS options (tls.connect throws) make connect() and sendCommand() reject with TlsError, never throw', async () => {
    const c = new NodeConnection({ socket: { host: '127.0.0.1', port: fake.server.port, tls: { key: 'not a key', cert: 'not a cert' } } });
    const errors: Error[] = [];
    c.on('error', (e) => errors.push(e));
    let thrown: unknown;
    let connecting: Promise<unknown> | undefined;
    try {
      connecting = c.connect().catch((e: unknown) => e);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeUndefined();
    expect(await connecting).toMatchObject({ code: 'ERR_REDIS_TLS' });
    expect(errors[0]).toMatchObject({ code: 'ERR_REDIS_TLS' });
    const d = new NodeConnection({ socket: { host: '127.0.0.1', port: fake.server.port, tls: { key: 'not a key', cert: 'not a cert' } } });
    d.on('error', () => undefined);
    await expect(d.sendCommand(['PING'])).rejects.toMatchObject({ code: 'ERR_REDIS_TLS' });
    expect(d.isOpen).toBe(false);
  });
});
