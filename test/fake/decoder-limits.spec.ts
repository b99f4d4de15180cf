// Decoder limits seen from a node connection: an oversize bulk header is a ProtocolError that drops
// the socket (and the connection recovers), and a push nested in a reply is dispatched as a push
// without shifting later replies to the wrong callers.
import { NodeConnection } from '../../lib/engine/connection/node-connection.js';
import { ConfigError, ProtocolError } from '../../lib/engine/errors/base.error.js';
import type { RespValue } from '../../lib/engine/resp/types.js';
import * as F from './resp-frames.js';
import { useFakeNode } from './support/fake-node.js';

const fake = useFakeNode();

describe('decoder limits on a node connection', () => {
  it('a 4 GiB bulk header is refused (default maxBulkLength 512 MiB): ProtocolError, socket dropped, the next command works', async () => {
    fake.server.on('GET', (_argv, ctx) => (ctx.connId === 1 ? Buffer.from('$4294967295\r\n') : F.bulk('fine')));
    const connection = fake.open();
    await connection.connect();
    await expect(connection.sendCommand(['GET', 'k'])).rejects.toBeInstanceOf(ProtocolError);
    expect(await connection.sendCommand(['GET', 'k'])).toBe('fine');
    expect(fake.server.connections.length).toBe(2);
  });

  it('maxBulkLength is configurable and validated', async () => {
    expect(() => new NodeConnection({ maxBulkLength: 0 })).toThrow(ConfigError);
    expect(() => new NodeConnection({ maxBulkLength: 1.5 })).toThrow(ConfigError);
    fake.server.on('GET', (argv) => F.bulk(argv[1] === 'big' ? '0123456789A' : '0123456789'));
    const connection = fake.open({ maxBulkLength: 10 });
    await connection.connect();
    expect(await connection.sendCommand(['GET', 'small'])).toBe('0123456789');
    await expect(connection.sendCommand(['GET', 'big'])).rejects.toThrow(/maxBulkLength/);
  });

  it('an invalidation push inside an MGET reply goes to the push listeners; every caller gets its own reply', async () => {
    fake.server.on('MGET', () => Buffer.concat([Buffer.from('*2\r\n$1\r\na\r\n'), F.push([F.bulk('invalidate'), F.array([F.bulk('k')])]), Buffer.from('$1\r\nb\r\n')]));
    fake.server.on('GET', (argv) => F.bulk(`v:${argv[1] ?? ''}`));
    const connection = (fake.connection = new NodeConnection({ socket: { host: '127.0.0.1', port: fake.server.port }, RESP: 3, clientInfo: false }));
    const pushes: RespValue[][] = [];
    connection.on('push', (frame) => pushes.push(frame));
    await connection.connect();
    const [mget, get] = await Promise.all([connection.sendCommand(['MGET', 'a', 'b']), connection.sendCommand(['GET', 'after'])]);
    expect(mget).toEqual(['a', 'b']);
    expect(get).toBe('v:after');
    expect(pushes).toEqual([['invalidate', ['k']]]);
  });
});
