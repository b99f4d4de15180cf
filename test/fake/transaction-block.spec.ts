// A MULTI block is one unit on the wire: never split across two sockets (the tail would run
// outside its MULTI), never half-queued when the queue is full.
import type net from 'node:net';
import { jest } from '@jest/globals';
import { NodeConnection } from '../../lib/engine/connection/node-connection.js';
import { QueueFullError } from '../../lib/engine/errors/base.error.js';
import type { RespValue } from '../../lib/engine/resp/types.js';
import * as F from './resp-frames.js';
import { useFakeNode } from './support/fake-node.js';

const fake = useFakeNode();

function block(args: string[][]): { settled: Promise<Array<RespValue | Error>>; commands: Array<{ args: string[]; resolve: (v: RespValue) => void; reject: (e: Error) => void }> } {
  const outcomes: Array<Promise<RespValue | Error>> = [];
  const commands = args.map((a) => {
    let resolve!: (v: RespValue) => void;
    let reject!: (e: Error) => void;
    outcomes.push(new Promise<RespValue>((res, rej) => ((resolve = res), (reject = rej))).catch((e: Error) => e));
    return { args: a, resolve, reject };
  });
  return { settled: Promise.all(outcomes), commands };
}

describe('MULTI blocks on a node connection', () => {
  it('writes the whole block even past the back-pressure threshold, and never replays its tail on a new socket', async () => {
    fake.server.on('MULTI', () => F.simple('OK'));
    // The server drops the connection as soon as it has read the big SET inside the MULTI.
    fake.server.on('SET', (_argv, ctx) => ({ bytes: F.simple('QUEUED'), close: ctx.connId === 1 }));
    fake.server.on('INCR', () => F.simple('QUEUED'));
    fake.server.on('EXEC', () => F.array([F.simple('OK'), F.integer(1)]));
    const connection = fake.open();
    await connection.connect();
    // Make the socket report back-pressure on every write (and never drain), so that a client that
    // stops writing at its 1 MB threshold would leave the block's tail queued for the next socket.
    const socket = (connection as unknown as { socket: net.Socket }).socket;
    const write = socket.write.bind(socket) as (chunk: string | Buffer) => boolean;
    jest.spyOn(socket, 'write').mockImplementation(((chunk: string | Buffer) => {
      write(chunk);
      return false;
    }) as never);
    const emit = socket.emit.bind(socket) as (event: string, ...args: unknown[]) => boolean;
    jest.spyOn(socket, 'emit').mockImplementation(((event: string, ...args: unknown[]) => (event === 'drain' ? false : emit(event, ...args))) as never);
    const big = 'x'.repeat(4 * 1024 * 1024);
    const { settled, commands } = block([['MULTI'], ['SET', '{a}k', big], ['INCR', '{a}c'], ['EXEC']]);
    connection.enqueueBlock(commands);
    const outcomes = await settled;
    expect(outcomes[3]).toBeInstanceOf(Error);
    // Reconnected, and used again…
    expect(await connection.sendCommand(['PING'])).toBe('PONG');
    // …but nothing of the block reached the second connection.
    const later = fake.server.commands.filter((c) => c.connId !== 1).map((c) => c.argv[0]!.toUpperCase());
    expect(later).not.toContain('INCR');
    expect(later).not.toContain('EXEC');
  });

  it('rejects a whole block at once when the queue cannot take all of it', async () => {
    const connection = (fake.connection = new NodeConnection({ socket: { host: '127.0.0.1', port: fake.server.port, reconnectStrategy: 1000 }, maxQueueLength: 3 }));
    connection.on('error', () => undefined);
    const { settled, commands } = block([['MULTI'], ['INCR', 'a'], ['INCR', 'b'], ['EXEC']]);
    connection.enqueueBlock(commands);
    const outcomes = await settled;
    expect(outcomes.every((o) => o instanceof QueueFullError)).toBe(true);
    expect(connection.pendingCount).toBe(0);
  });
});
