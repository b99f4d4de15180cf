// Decoder limits seen from a node connection: an oversize bulk header is a ProtocolError that drops
// the socket (and the connection recovers), and a push nested in a reply is dispatched as a push
// without shifting later replies to the wrong callers.
import { NodeConnection } from '../../lib/engine/connection/node-connection.js';
import { ConfigError, ProtocolError } from '../../lib/engine/errors/base.error.js';
import type { RespValue } from '../../lib/engine/resp/types.js';
import { FakeRedisServer } from './fake-redis-server.js';
import * as F from './resp-frames.js';

let fake: FakeRedisServer;
let connection: NodeConnection | undefined;

beforeEach(async () => {
  fake = await FakeRedisServer.start();
});

afterEach(async () => {
  await connection?.destroy();
  connection = undefined;
  await fake.close();
});

describe('decoder limits on a node connection', () => {
  it('a 4 GiB bulk header is refused (default maxBulkLength 512 MiB): ProtocolError, socket dropped, the next command works', async () => {
    fake.on('GET', (_argv, ctx) => (ctx.connId === 1 ? Buffer.from('$4294967295\r\n') : F.bulk('fine')));
    connection = new NodeConnection({ socket: { host: '127.0.0.1', port: fake.port, reconnectStrategy: 10 }, RESP: 2, clientInfo: false });
    connection.on('error', () => undefined);
    await connection.connect();
    await expect(connection.sendCommand(['GET', 'k'])).rejects.toBeInstanceOf(ProtocolError);
    expect(await connection.sendCommand(['GET', 'k'])).toBe('fine');
    expect(fake.connections.length).toBe(2);
  });

  it('maxBulkLength is configurable and validated', async () => {
    expect(() => new NodeConnection({ maxBulkLength: 0 })).toThrow(ConfigError);
    expect(() => new NodeConnection({ maxBulkLength: 1.5 })).toThrow(ConfigError);
    fake.on('GET', (argv) => F.bulk(argv[1] === 'big' ? '0123456789A' : '0123456789'));
    connection = new NodeConnection({ socket: { host: '127.0.0.1', port: fake.port, reconnectStrategy: 10 }, RESP: 2, clientInfo: false, maxBulkLength: 10 });
    connection.on('error', () => undefined);
    await connection.connect();
    expect(await connection.sendCommand(['GET', 'small'])).toBe('0123456789');
    await expect(connection.sendCommand(['GET', 'big'])).rejects.toThrow(/maxBulkLength/);
  });

  it('an invalidation push inside an MGET reply goes to the push listeners; every caller gets its own reply', async () => {
    fake.on('MGET', () => Buffer.concat([Buffer.from('*2\r\n$1\r\na\r\n'), F.push([F.bulk('invalidate'), F.array([F.bulk('k')])]), Buffer.from('$1\r\nb\r\n')]));
    fake.on('GET', (argv) => F.bulk(`v:${argv[1] ?? ''}`));
    connection = new NodeConnection({ socket: { host: '127.0.0.1', port: fake.port }, RESP: 3, clientInfo: false });
    const pushes: RespValue[][] = [];
    connection.on('push', (frame) => pushes.push(frame));
    await connection.connect();
    const [mget, get] = await Promise.all([connection.sendCommand(['MGET', 'a', 'b']), connection.sendCommand(['GET', 'after'])]);
    expect(mget).toEqual(['a', 'b']);
    expect(get).toBe('v:after');
    expect(pushes).toEqual([['invalidate', ['k']]]);
  });
});
