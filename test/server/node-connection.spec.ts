import net from 'node:net';
import { jest } from '@jest/globals';
import { NodeConnection } from '../../lib/engine/connection/node-connection.js';
import type { NodeConnectionOptions } from '../../lib/engine/connection/connection-options.js';
import { ClientClosedError, ClientOfflineError, CommandTimeoutError, QueueFullError } from '../../lib/engine/errors/base.error.js';
import { ConnectionClosedError, ConnectionError, ReconnectStrategyError } from '../../lib/engine/errors/connection.error.js';
import { ReplyError } from '../../lib/engine/errors/reply.error.js';
import type { RespValue } from '../../lib/engine/resp/types.js';
import { HandleTracker } from '../support/handle-tracker.js';
import { closedPort } from '../support/ports.js';
import { describeWithServers, killNode, restartNode, testServers } from '../support/servers.js';

function standalone(): number {
  return testServers().standalone.port;
}

async function withConnection<T>(options: NodeConnectionOptions, fn: (c: NodeConnection) => Promise<T>): Promise<T> {
  const c = new NodeConnection(options);
  c.on('error', () => undefined);
  try {
    await c.connect();
    return await fn(c);
  } finally {
    await c.destroy();
  }
}

describeWithServers('NodeConnection against a real redis-server', () => {
  const url = () => `redis://127.0.0.1:${standalone()}`;

  it('round-trips binary values byte for byte, in RESP3 and RESP2', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    for (const RESP of [3, 2] as const) {
      await withConnection({ url: url(), RESP }, async (c) => {
        await c.sendCommand(['SET', `bin:${RESP}`, all]);
        const back = await c.sendCommand<Buffer>(['GET', `bin:${RESP}`], { returnBuffers: true });
        expect(Buffer.isBuffer(back)).toBe(true);
        expect(back.equals(all)).toBe(true);
        expect(await c.sendCommand(['STRLEN', `bin:${RESP}`])).toBe(256);
      });
    }
  });

  it('stores and reads back a 10 MB value', async () => {
    await withConnection({ url: url(), commandTimeout: 20_000 }, async (c) => {
      const big = Buffer.alloc(10 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
      expect(await c.sendCommand(['SET', 'big', big])).toBe('OK');
      const back = await c.sendCommand<Buffer>(['GET', 'big'], { returnBuffers: true });
      expect(back.length).toBe(big.length);
      expect(back.equals(big)).toBe(true);
      await c.sendCommand(['DEL', 'big']);
    });
  });

  it('writes 10,000 commands issued in one tick in one socket write, replies in order', async () => {
    await withConnection({ url: url() }, async (c) => {
      await c.sendCommand(['DEL', 'tick']);
      const socket = (c as unknown as { socket: net.Socket }).socket;
      const write = jest.spyOn(socket, 'write');
      const replies = Array.from({ length: 10_000 }, () => c.sendCommand<number>(['INCR', 'tick']));
      const values = await Promise.all(replies);
      expect(write).toHaveBeenCalledTimes(1);
      expect(values).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
      write.mockRestore();
    });
  });

  it('decodes every RESP3 type a real server sends (DEBUG PROTOCOL)', async () => {
    await withConnection({ url: url() }, async (c) => {
      const pushes: RespValue[][] = [];
      c.on('push', (frame) => pushes.push(frame));
      const ask = (type: string) => c.sendCommand(['DEBUG', 'PROTOCOL', type]);
      expect(await ask('string')).toBe('Hello World');
      expect(await ask('integer')).toBe(12345);
      expect(await ask('double')).toBeCloseTo(3.141);
      expect(await ask('bignum')).toBe(1234567999999999999999999999999999999n);
      expect(await ask('null')).toBeNull();
      expect(await ask('array')).toEqual([0, 1, 2]);
      expect(await ask('set')).toEqual([0, 1, 2]);
      expect({ ...(await ask('map') as object) }).toEqual({ 0: false, 1: true, 2: false });
      expect(await ask('attrib')).toBe('Some real reply following the attribute');
      expect(await ask('true')).toBe(true);
      expect(await ask('false')).toBe(false);
      expect(await ask('verbatim')).toBe('This is a verbatim\nstring');
      expect(await ask('push')).toBe('Some real reply following the push reply');
      expect(pushes).toEqual([['server-cpu-usage', 42]]);
    });
  });

  it('speaks RESP2 (AUTH-less handshake, CLIENT SETNAME) and names the connection', async () => {
    await withConnection({ url: url(), RESP: 2, name: 'resp2-conn' }, async (c) => {
      expect(await c.sendCommand(['CLIENT', 'GETNAME'])).toBe('resp2-conn');
      expect(await c.sendCommand(['HGETALL', 'nohash'])).toEqual([]);
    });
    await withConnection({ url: url(), name: 'resp3-conn' }, async (c) => {
      expect(await c.sendCommand(['CLIENT', 'GETNAME'])).toBe('resp3-conn');
    });
  });

  it('rejects a command whose reply does not come within its deadline, saying it was sent', async () => {
    await withConnection({ url: url() }, async (c) => {
      const error = await c.sendCommand(['DEBUG', 'SLEEP', '0.3'], { timeout: 50 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CommandTimeoutError);
      expect((error as CommandTimeoutError).written).toBe(true);
      // The late reply is discarded and the next command gets its own reply.
      expect(await c.sendCommand(['ECHO', 'after'])).toBe('after');
    });
  });

  it('times out unsent commands while the node is unreachable, saying they were never sent', async () => {
    const c = new NodeConnection({ socket: { host: '127.0.0.1', port: await closedPort(), reconnectStrategy: 50 }, commandTimeout: 150 });
    c.on('error', () => undefined);
    const error = await c.sendCommand(['PING']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect((error as CommandTimeoutError).written).toBe(false);
    await c.destroy();
  });

  it('bounds the offline queue and can refuse to queue at all', async () => {
    const port = await closedPort();
    const c = new NodeConnection({ socket: { host: '127.0.0.1', port, reconnectStrategy: 1000 }, maxQueueLength: 3, commandTimeout: 2000 });
    c.on('error', () => undefined);
    const queued = [c.sendCommand(['PING']), c.sendCommand(['PING']), c.sendCommand(['PING'])].map((q) => q.catch((e: unknown) => e));
    await expect(c.sendCommand(['PING'])).rejects.toBeInstanceOf(QueueFullError);
    await c.destroy();
    for (const q of queued) expect(await q).toBeInstanceOf(ClientClosedError);
    const d = new NodeConnection({ socket: { host: '127.0.0.1', port, reconnectStrategy: 1000 }, disableOfflineQueue: true });
    d.on('error', () => undefined);
    await expect(d.sendCommand(['PING'])).rejects.toBeInstanceOf(ClientOfflineError);
    await d.destroy();
  });

  it('gives up when the reconnect strategy says so, with the strategy error', async () => {
    const port = await closedPort();
    const c = new NodeConnection({ socket: { host: '127.0.0.1', port, reconnectStrategy: (retries) => (retries >= 2 ? new Error('enough') : 10) } });
    const reconnecting: number[] = [];
    c.on('error', () => undefined);
    c.on('reconnecting', (info) => reconnecting.push(info.attempt));
    const error = await c.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReconnectStrategyError);
    expect(reconnecting).toEqual([1, 2]);
    expect(c.isOpen).toBe(false);
    const noRetry = new NodeConnection({ socket: { host: '127.0.0.1', port, reconnectStrategy: false } });
    noRetry.on('error', () => undefined);
    await expect(noRetry.connect()).rejects.toBeInstanceOf(ConnectionError);
  });

  it('recovers from CLIENT KILL: written commands reject as possibly run, later ones succeed', async () => {
    await withConnection({ url: url(), name: 'victim' }, async (c) => {
      const events: string[] = [];
      c.on('reconnecting', () => events.push('reconnecting'));
      c.on('ready', () => events.push('ready'));
      const id = await c.sendCommand<number>(['CLIENT', 'ID']);
      const blocked = c.sendCommand(['BLPOP', 'never-filled', '5'], { timeout: 6000 });
      await withConnection({ url: url() }, async (killer) => {
        // Wait until the BLPOP is really blocked server-side, then kill our connection.
        for (;;) {
          const list = await killer.sendCommand<string>(['CLIENT', 'LIST', 'ID', String(id)]);
          if (list.includes('cmd=blpop')) break;
        }
        expect(await killer.sendCommand(['CLIENT', 'KILL', 'ID', String(id)])).toBe(1);
      });
      const error = await blocked.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect((error as ConnectionClosedError).mayHaveRun).toBe(true);
      expect(await c.sendCommand(['PING'])).toBe('PONG');
      expect(events).toEqual(['reconnecting', 'ready']);
    });
  });

  it('waits through a server restart: commands issued while it is down run once it is back', async () => {
    const port = standalone();
    await withConnection({ url: url(), commandTimeout: 15_000, socket: { reconnectStrategy: 50 } }, async (c) => {
      await c.sendCommand(['SET', 'restart-key', 'before']);
      await killNode(port);
      const during = c.sendCommand(['GET', 'restart-key']);
      await restartNode(port);
      expect(await during).toBe('before');
    });
  });

  it('keeps error replies as typed ReplyErrors without breaking the connection', async () => {
    await withConnection({ url: url() }, async (c) => {
      await c.sendCommand(['SET', 'str', 'x']);
      const error = await c.sendCommand(['LPUSH', 'str', 'y']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReplyError);
      expect((error as ReplyError).prefix).toBe('WRONGTYPE');
      expect(await c.sendCommand(['GET', 'str'])).toBe('x');
    });
  });

  it('close() drains in-flight commands, then leaves no socket or timer behind', async () => {
    // Only what these connections create counts (not the timers of jest or of other tests).
    const tracker = new HandleTracker();
    try {
      await tracker.run(async () => {
        const c = new NodeConnection({ url: url(), pingInterval: 1000 });
        await c.connect();
        const inflight = [c.sendCommand(['DEBUG', 'SLEEP', '0.1']), c.sendCommand(['ECHO', 'last'])].map((q) => q.catch((e: unknown) => e));
        const closed = c.close();
        await expect(c.sendCommand(['PING'])).rejects.toBeInstanceOf(ClientClosedError);
        await closed;
        expect(await Promise.all(inflight)).toEqual(['OK', 'last']);
        expect(tracker.createdByKind.TCPWRAP).toBe(1);
        expect(await tracker.leftovers()).toEqual({});
        await c.close();
        const d = new NodeConnection({ url: url() });
        await d.connect();
        const pending = d.sendCommand(['DEBUG', 'SLEEP', '0.2']).catch((e: unknown) => e);
        await d.destroy();
        expect(await pending).toBeInstanceOf(ClientClosedError);
        expect(tracker.createdByKind.TCPWRAP).toBe(2);
        expect(await tracker.leftovers()).toEqual({});
      });
    } finally {
      tracker.disable();
    }
  });
});
