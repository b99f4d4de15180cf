// Liveness under load (socket.livenessTimeout): a node that reads but never answers, without FIN or
// RST, is detected and its socket failed like a reset; blocking commands and commands given a long
// timeout of their own are not mistaken for a dead peer.
import { NodeConnection } from '../../lib/engine/connection/node-connection.js';
import type { NodeConnectionOptions } from '../../lib/engine/connection/connection-options.js';
import { CommandTimeoutError } from '../../lib/engine/errors/base.error.js';
import { ConnectionClosedError, ConnectionError } from '../../lib/engine/errors/connection.error.js';
import * as F from './resp-frames.js';
import { useFakeNode } from './support/fake-node.js';

const fake = useFakeNode();

function open(options: Partial<NodeConnectionOptions> & { livenessTimeout: number }): { c: NodeConnection; errors: Error[] } {
  const { livenessTimeout, ...rest } = options;
  const errors: Error[] = [];
  const connection = fake.open({
    socket: { host: '127.0.0.1', port: fake.server.port, reconnectStrategy: 10, livenessTimeout },
    commandTimeout: 0,
    ...rest,
  });
  connection.on('error', (e) => errors.push(e));
  return { c: connection, errors };
}

/** A node that reads every command on its first connection and answers none (no FIN, no RST). */
function silentOnFirstConnection(): void {
  fake.server.on('GET', (argv, ctx) => (ctx.connId === 1 ? { noReply: true } : F.bulk(`v:${argv[1] ?? ''}`)));
}

describe('liveness under load', () => {
  it('a node that reads but never answers is declared dead: written commands reject with mayHaveRun, the connection reconnects and serves again', async () => {
    silentOnFirstConnection();
    // No command deadline at all: only the liveness check can settle these.
    const { c, errors } = open({ livenessTimeout: 100 });
    await c.connect();
    const reconnected = new Promise<void>((resolve) => c.once('reconnecting', () => c.once('ready', () => resolve())));
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => c.sendCommand(['GET', `k${i}`]).catch((e: unknown) => e)));
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(ConnectionClosedError);
      expect((outcome as ConnectionClosedError).mayHaveRun).toBe(true);
    }
    expect(c.inflightCount).toBe(0);
    const stall = errors.find((e) => e instanceof ConnectionError && e.message.includes('socket.livenessTimeout'));
    expect(stall).toBeDefined();
    expect(stall!.message).not.toContain('k1');
    await reconnected;
    expect(await c.sendCommand(['GET', 'after'])).toBe('v:after');
    expect(fake.server.commandsOn(2).map((r) => r.argv[0])).toContain('GET');
  });

  it('timed-out commands do not pile up in flight on a dead socket: the liveness check empties it', async () => {
    silentOnFirstConnection();
    const { c } = open({ livenessTimeout: 200, commandTimeout: 20 });
    await c.connect();
    const ended = new Promise<void>((resolve) => c.once('reconnecting', () => resolve()));
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => c.sendCommand(['GET', `k${i}`]).catch((e: unknown) => e)));
    for (const outcome of outcomes) expect(outcome).toBeInstanceOf(CommandTimeoutError);
    // Timed out, but still awaiting replies on the wire …
    expect(c.inflightCount).toBe(100);
    await ended;
    // … until the silent socket is declared dead.
    expect(c.inflightCount).toBe(0);
  });

  it('a blocking command that blocks forever (BLPOP … 0) is not mistaken for a dead peer', async () => {
    fake.server.on('BLPOP', () => ({ bytes: F.array([F.bulk('list'), F.bulk('item')]), delayMs: 600 }));
    const { c, errors } = open({ livenessTimeout: 50 });
    await c.connect();
    expect(await c.sendCommand(['BLPOP', 'list', '0'])).toEqual(['list', 'item']);
    expect(errors).toEqual([]);
    expect(fake.server.connections).toHaveLength(1);
  });

  it('a blocking command with a finite block time gets that time on top of the liveness timeout', async () => {
    fake.server.on('XREAD', () => ({ bytes: F.nul(), delayMs: 300 }));
    const { c, errors } = open({ livenessTimeout: 50 });
    await c.connect();
    expect(await c.sendCommand(['XREAD', 'BLOCK', '1000', 'STREAMS', 's', '$'])).toBeNull();
    expect(errors).toEqual([]);
  });

  it('a command given a longer timeout of its own may take that long', async () => {
    fake.server.on('SLOWCMD', () => ({ bytes: F.simple('DONE'), delayMs: 300 }));
    const { c, errors } = open({ livenessTimeout: 50 });
    await c.connect();
    expect(await c.sendCommand(['SLOWCMD'], { timeout: 10_000 })).toBe('DONE');
    expect(errors).toEqual([]);
  });

  it('the same slow command without a longer timeout trips the check', async () => {
    fake.server.on('SLOWCMD', (_argv, ctx) => (ctx.connId === 1 ? { bytes: F.simple('DONE'), delayMs: 2000 } : F.simple('DONE')));
    const { c } = open({ livenessTimeout: 50 });
    await c.connect();
    const error = await c.sendCommand(['SLOWCMD']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as ConnectionClosedError).mayHaveRun).toBe(true);
  });

  it('livenessTimeout 0 turns the check off (only the command deadline applies)', async () => {
    fake.server.on('GET', () => ({ noReply: true }));
    const { c, errors } = open({ livenessTimeout: 0, commandTimeout: 200 });
    await c.connect();
    const error = await c.sendCommand(['GET', 'k']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect(errors).toEqual([]);
    expect(c.isReady).toBe(true);
  });

  it('an idle connection is never checked', async () => {
    fake.server.on('SLOWCMD', () => ({ bytes: F.simple('DONE'), delayMs: 300 }));
    const { c, errors } = open({ livenessTimeout: 50 });
    await c.connect();
    // Idle for longer than the liveness timeout (the slow command runs on a second, unrelated connection).
    const other = new NodeConnection({ socket: { host: '127.0.0.1', port: fake.server.port, livenessTimeout: 0 }, RESP: 2, clientInfo: false });
    try {
      expect(await other.sendCommand(['SLOWCMD'])).toBe('DONE');
    } finally {
      await other.destroy();
    }
    expect(errors).toEqual([]);
    expect(c.isReady).toBe(true);
    expect(await c.sendCommand(['PING'])).toBe('PONG');
  });
});
