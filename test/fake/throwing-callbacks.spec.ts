// A command's resolve/reject callbacks belong to the layer that queued it (the promise's own
// functions never throw, but the cluster executor passes its own). One that throws is that layer's
// bug: it must surface (an uncaught exception on the next tick), and it must never unwind into the
// connection's loops, where it would leave the commands behind it unsettled or be taken for a
// protocol error of the socket.
import { jest } from '@jest/globals';
import { ConnectionClosedError } from '../../lib/engine/errors/connection.error.js';
import type { RespValue } from '../../lib/engine/resp/types.js';
import * as F from './resp-frames.js';
import { useFakeNode } from './support/fake-node.js';

const fake = useFakeNode();

/** Captures what is deferred with process.nextTick while on, so that a rethrown error can be seen. */
function captureNextTicks(): { thrown: () => unknown[]; restore: () => void } {
  const real = process.nextTick.bind(process);
  const thrown: unknown[] = [];
  const spy = jest.spyOn(process, 'nextTick').mockImplementation(((fn: (...a: unknown[]) => void, ...args: unknown[]) =>
    real(() => {
      try {
        fn(...args);
      } catch (error) {
        thrown.push(error);
      }
    })) as never);
  return { thrown: () => thrown, restore: () => spy.mockRestore() };
}

/** A callback pair whose `which` side throws after recording that it was called. */
function throwing(which: 'resolve' | 'reject', calls: string[]): [(v: RespValue) => void, (e: Error) => void] {
  const boom = new Error(`callback bug (${which})`);
  return [
    (value) => {
      calls.push(`resolve:${String(value)}`);
      if (which === 'resolve') throw boom;
    },
    (error) => {
      calls.push(`reject:${error.name}`);
      if (which === 'reject') throw boom;
    },
  ];
}

describe('a throwing command callback', () => {
  it('while replies are decoded: the commands behind it still get their own replies, and the connection stays up', async () => {
    let n = 0;
    fake.server.on('GET', () => F.bulk(`v${++n}`));
    const c = fake.open({ commandTimeout: 0 });
    await c.connect();
    const ticks = captureNextTicks();
    try {
      const calls: string[] = [];
      c.enqueue(['GET', 'a'], undefined, ...throwing('resolve', calls));
      const rest = [c.sendCommand(['GET', 'b']), c.sendCommand(['GET', 'c'])];
      expect(await Promise.all(rest)).toEqual(['v2', 'v3']);
      expect(calls).toEqual(['resolve:v1']);
      expect(c.isReady).toBe(true);
      expect(await c.sendCommand(['GET', 'd'])).toBe('v4');
      await new Promise((r) => setImmediate(r));
      expect(ticks.thrown().map((e) => (e as Error).message)).toEqual(['callback bug (resolve)']);
    } finally {
      ticks.restore();
    }
  });

  it('while the socket is lost: every other written and unsent command still rejects', async () => {
    fake.server.on('GET', () => ({ noReply: true }));
    const c = fake.open({ commandTimeout: 0, socket: { host: '127.0.0.1', port: fake.server.port, reconnectStrategy: false } });
    await c.connect();
    const ticks = captureNextTicks();
    try {
      const calls: string[] = [];
      const before = c.sendCommand(['GET', 'before']).catch((e: unknown) => e);
      c.enqueue(['GET', 'bug'], undefined, ...throwing('reject', calls));
      const after = [c.sendCommand(['GET', 'x']).catch((e: unknown) => e), c.sendCommand(['GET', 'y']).catch((e: unknown) => e)];
      await fake.server.waitForCommand('GET', (argv) => argv[1] === 'y');
      for (const id of fake.server.connections.filter((x) => x.alive).map((x) => x.id)) fake.server.killConnection(id);
      const outcomes = await Promise.all([before, ...after]);
      for (const outcome of outcomes) expect(outcome).toBeInstanceOf(ConnectionClosedError);
      expect(calls).toEqual(['reject:ConnectionClosedError']);
      await new Promise((r) => setImmediate(r));
      expect(ticks.thrown().map((e) => (e as Error).message)).toEqual(['callback bug (reject)']);
    } finally {
      ticks.restore();
    }
  });
});
