/** Tests of the scripted fake RESP server (test/fake) with raw `net` sockets. No real Redis needed. */
import net from 'node:net';
import { FakeRedisServer, nodeIdFor } from '../../fake/fake-redis-server.js';
import * as F from '../../fake/resp-frames.js';
import { HandleTracker, expectNoLeftovers } from '../../support/handle-tracker.js';

/** A raw client that accumulates what it receives. */
class RawClient {
  received = Buffer.alloc(0);
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.received = Buffer.concat([this.received, d]);
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private notify() {
    for (const w of this.waiters.splice(0)) w();
  }

  send(bytes: string | Buffer): this {
    this.socket.write(bytes);
    return this;
  }

  /** Waits until `n` bytes arrived, consumes and returns them. */
  async read(n: number, timeoutMs = 1000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (this.closed || Date.now() > deadline) throw new Error(`got ${JSON.stringify(this.received.toString())}, wanted ${n} bytes`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    const out = this.received.subarray(0, n).toString('latin1');
    this.received = this.received.subarray(n);
    return out;
  }

  /** Reads exactly the expected frame and checks it. */
  async expect(frame: string | Buffer, timeoutMs?: number): Promise<void> {
    const want = Buffer.isBuffer(frame) ? frame.toString('latin1') : frame;
    expect(await this.read(Buffer.byteLength(want, 'latin1'), timeoutMs)).toBe(want);
  }

  async waitClosed(timeoutMs = 1000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket not closed');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  end() {
    this.socket.destroy();
  }
}

const cmd = F.command;

const hello3 = (id: number) =>
  F.map({
    server: F.bulk('redis'),
    version: F.bulk('7.0.15'),
    proto: F.integer(3),
    id: F.integer(id),
    mode: F.bulk('cluster'),
    role: F.bulk('master'),
    modules: F.array([]),
  });

describe('resp-frames', () => {
  test('builders produce exact bytes', () => {
    expect(F.simple('OK').toString()).toBe('+OK\r\n');
    expect(F.error('ERR x').toString()).toBe('-ERR x\r\n');
    expect(F.integer(42).toString()).toBe(':42\r\n');
    expect(F.integer(-1n).toString()).toBe(':-1\r\n');
    expect(F.bulk('héllo').toString()).toBe('$6\r\nhéllo\r\n');
    expect(F.bulk(Buffer.from([0, 255])).equals(Buffer.from([0x24, 0x32, 13, 10, 0, 255, 13, 10]))).toBe(true);
    expect(F.bulk(null).toString()).toBe('$-1\r\n');
    expect(F.array(null).toString()).toBe('*-1\r\n');
    expect(F.array([F.bulk('a'), F.integer(1)]).toString()).toBe('*2\r\n$1\r\na\r\n:1\r\n');
    expect(F.map([[F.bulk('k'), F.bulk('v')]]).toString()).toBe('%1\r\n$1\r\nk\r\n$1\r\nv\r\n');
    expect(F.map({ k: F.integer(1) }).toString()).toBe('%1\r\n$1\r\nk\r\n:1\r\n');
    expect(F.attribute({ ttl: F.integer(3) }).toString()).toBe('|1\r\n$3\r\nttl\r\n:3\r\n');
    expect(F.set([F.bulk('a')]).toString()).toBe('~1\r\n$1\r\na\r\n');
    expect(F.push([F.bulk('invalidate'), F.array([F.bulk('k')])]).toString()).toBe('>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n');
    expect(F.double(1.5).toString()).toBe(',1.5\r\n');
    expect(F.double(Infinity).toString()).toBe(',inf\r\n');
    expect(F.double(-Infinity).toString()).toBe(',-inf\r\n');
    expect(F.double(NaN).toString()).toBe(',nan\r\n');
    expect(F.boolean(true).toString()).toBe('#t\r\n');
    expect(F.boolean(false).toString()).toBe('#f\r\n');
    expect(F.nul().toString()).toBe('_\r\n');
    expect(F.bigNumber(12345678901234567890n).toString()).toBe('(12345678901234567890\r\n');
    expect(F.verbatim('Some string').toString()).toBe('=15\r\ntxt:Some string\r\n');
    expect(F.bulkError('SYNTAX invalid').toString()).toBe('!14\r\nSYNTAX invalid\r\n');
    expect(F.command('GET', 'k').toString()).toBe('*2\r\n$3\r\nGET\r\n$1\r\nk\r\n');
  });

  test('encode() follows the protocol', () => {
    expect(F.encode({ a: 1, b: null }, 3).toString()).toBe('%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n');
    expect(F.encode({ a: 1, b: null }, 2).toString()).toBe('*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$-1\r\n');
    expect(F.encode([true, 1.5], 3).toString()).toBe('*2\r\n#t\r\n,1.5\r\n');
    expect(F.encode([true, 1.5], 2).toString()).toBe('*2\r\n:1\r\n$3\r\n1.5\r\n');
    expect(F.encode(new Error('ERR boom')).toString()).toBe('-ERR boom\r\n');
  });
});

describe('FakeRedisServer', () => {
  let fake: FakeRedisServer;
  let clients: RawClient[];
  const connect = async () => {
    const c = await RawClient.connect(fake.port);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    fake = await FakeRedisServer.start();
    clients = [];
  });
  afterEach(async () => {
    for (const c of clients) c.end();
    await fake.close();
  });

  test('listens on 127.0.0.1 and answers PING (multibulk and inline, split at every byte)', async () => {
    expect(fake.port).toBeGreaterThan(0);
    expect(fake.address).toBe(`127.0.0.1:${fake.port}`);
    const c = await connect();
    c.send(cmd('PING'));
    await c.expect('+PONG\r\n');
    c.send('PING\r\n');
    await c.expect('+PONG\r\n');
    const bytes = cmd('ECHO', 'split');
    for (const b of bytes) c.send(Buffer.from([b]));
    await c.expect(F.bulk('split'));
    expect(fake.commands.map((x) => x.argv)).toEqual([['PING'], ['PING'], ['ECHO', 'split']]);
    expect(fake.commands.every((x) => x.connId === 1)).toBe(true);
  });

  test('HELLO 3 replies with a RESP3 map, HELLO 2 with a flat array, and switches the connection protocol', async () => {
    const c = await connect();
    c.send(cmd('HELLO', '3', 'AUTH', 'default', 'anything', 'SETNAME', 'me'));
    await c.expect(hello3(1));
    expect(fake.connections[0]).toMatchObject({ id: 1, alive: true, protocol: 3, name: 'me', authenticated: true });
    c.send(cmd('HELLO', '2'));
    await c.expect(
      F.array([
        F.bulk('server'), F.bulk('redis'), F.bulk('version'), F.bulk('7.0.15'), F.bulk('proto'), F.integer(2),
        F.bulk('id'), F.integer(1), F.bulk('mode'), F.bulk('cluster'), F.bulk('role'), F.bulk('master'),
        F.bulk('modules'), F.array([]),
      ]),
    );
    c.send(cmd('HELLO', '4'));
    await c.expect('-NOPROTO unsupported protocol version\r\n');
    c.send(cmd('CLIENT', 'SETINFO', 'lib-name', 'x'));
    await c.expect('+OK\r\n');
    c.send(cmd('CLIENT', 'ID'));
    await c.expect(':1\r\n');
    for (const name of ['READONLY', 'ASKING', 'READWRITE']) {
      c.send(cmd(name));
      await c.expect('+OK\r\n');
    }
    c.send(cmd('SELECT', '0'));
    await c.expect('+OK\r\n');
  });

  test('with a password: NOAUTH first, WRONGPASS for bad credentials, then accepted', async () => {
    await fake.close();
    fake = await FakeRedisServer.start({ password: 'pw' });
    const c = await connect();
    c.send(cmd('PING'));
    await c.expect('-NOAUTH Authentication required.\r\n');
    c.send(cmd('HELLO', '3', 'AUTH', 'default', 'nope'));
    await c.expect('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    c.send(cmd('AUTH', 'pw'));
    await c.expect('+OK\r\n');
    c.send(cmd('PING'));
    await c.expect('+PONG\r\n');
    const d = await connect();
    d.send(cmd('HELLO', '3', 'AUTH', 'default', 'pw'));
    await d.expect(hello3(2));
  });

  test('unknown commands get the Redis 7 error text', async () => {
    const c = await connect();
    c.send(cmd('FOO', 'a', 'b'));
    await c.expect("-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n");
  });

  test('CLUSTER SLOTS / SHARDS / NODES from the default table and from setSlots, per protocol', async () => {
    const c = await connect();
    const me = F.array([F.bulk('127.0.0.1'), F.integer(fake.port), F.bulk(fake.nodeId), F.array([])]);
    c.send(cmd('CLUSTER', 'SLOTS'));
    await c.expect(F.array([F.array([F.integer(0), F.integer(16383), me])]));

    const a = { host: '127.0.0.1', port: 7000, id: 'a'.repeat(40) };
    const b = { host: '127.0.0.1', port: 7001, hostname: 'node-b.local' };
    const r = { host: '127.0.0.1', port: 7002, id: 'c'.repeat(40) };
    fake.setSlots([
      { start: 0, end: 100, master: a, replicas: [r] },
      { start: 101, end: 16383, master: b },
    ]);
    c.send(cmd('CLUSTER', 'SLOTS'));
    const nodeA = F.array([F.bulk('127.0.0.1'), F.integer(7000), F.bulk(a.id), F.array([])]);
    const nodeR = F.array([F.bulk('127.0.0.1'), F.integer(7002), F.bulk(r.id), F.array([])]);
    const nodeB2 = F.array([F.bulk('127.0.0.1'), F.integer(7001), F.bulk(nodeIdFor('127.0.0.1', 7001)), F.array([F.bulk('hostname'), F.bulk('node-b.local')])]);
    await c.expect(F.array([F.array([F.integer(0), F.integer(100), nodeA, nodeR]), F.array([F.integer(101), F.integer(16383), nodeB2])]));

    c.send(cmd('HELLO', '3'));
    await c.expect(hello3(1));
    c.send(cmd('CLUSTER', 'SLOTS'));
    const nodeB3 = F.array([F.bulk('127.0.0.1'), F.integer(7001), F.bulk(nodeIdFor('127.0.0.1', 7001)), F.map({ hostname: F.bulk('node-b.local') })]);
    const nodeA3 = F.array([F.bulk('127.0.0.1'), F.integer(7000), F.bulk(a.id), F.map([])]);
    const nodeR3 = F.array([F.bulk('127.0.0.1'), F.integer(7002), F.bulk(r.id), F.map([])]);
    await c.expect(F.array([F.array([F.integer(0), F.integer(100), nodeA3, nodeR3]), F.array([F.integer(101), F.integer(16383), nodeB3])]));

    c.send(cmd('CLUSTER', 'SHARDS'));
    const shardNode = (n: { port: number; id: string; hostname?: string }, role: string) =>
      F.map({
        id: F.bulk(n.id),
        port: F.integer(n.port),
        ip: F.bulk('127.0.0.1'),
        endpoint: F.bulk('127.0.0.1'),
        ...(n.hostname ? { hostname: F.bulk(n.hostname) } : {}),
        role: F.bulk(role),
        'replication-offset': F.integer(1),
        health: F.bulk('online'),
      });
    await c.expect(
      F.array([
        F.map({ slots: F.array([F.integer(0), F.integer(100)]), nodes: F.array([shardNode(a, 'master'), shardNode(r, 'replica')]) }),
        F.map({
          slots: F.array([F.integer(101), F.integer(16383)]),
          nodes: F.array([shardNode({ ...b, id: nodeIdFor('127.0.0.1', 7001) }, 'master')]),
        }),
      ]),
    );

    c.send(cmd('CLUSTER', 'NODES'));
    const text =
      `${a.id} 127.0.0.1:7000@17000 master - 0 0 1 connected 0-100\n` +
      `${r.id} 127.0.0.1:7002@17002 slave ${a.id} 0 0 1 connected\n` +
      `${nodeIdFor('127.0.0.1', 7001)} 127.0.0.1:7001@17001,node-b.local master - 0 0 1 connected 101-16383\n`;
    await c.expect(F.verbatim(text));
  });

  test('scripted replies: on, once (queued), two-word names, "*", fall-through and defaultReply', async () => {
    fake.on('GET', (argv) => F.bulk(`value-of-${argv[1]}`));
    fake.once('GET', () => F.error('MOVED 1 127.0.0.1:1'));
    fake.once('GET', () => F.error('ASK 1 127.0.0.1:2'));
    fake.on('CLUSTER SLOTS', () => F.error('ERR scripted'));
    fake.on('*', (argv) => (argv[0] === 'MYCMD' ? F.simple('MINE') : undefined));
    const seen: string[] = [];
    fake.on('PING', (argv, ctx) => {
      seen.push(`${ctx.connId}:${argv.join(' ')}`);
      return undefined; // observe only
    });
    fake.on('ECHO', (argv, ctx) => {
      const d = ctx.defaultReply();
      return Buffer.concat([F.simple('before'), d as Buffer]);
    });
    const c = await connect();
    c.send(Buffer.concat([cmd('GET', 'k'), cmd('GET', 'k'), cmd('GET', 'k')]));
    await c.expect(F.concat(F.error('MOVED 1 127.0.0.1:1'), F.error('ASK 1 127.0.0.1:2'), F.bulk('value-of-k')));
    c.send(cmd('CLUSTER', 'SLOTS'));
    await c.expect('-ERR scripted\r\n');
    c.send(cmd('CLUSTER', 'MYID'));
    await c.expect(F.bulk(fake.nodeId));
    c.send(cmd('MYCMD'));
    await c.expect('+MINE\r\n');
    c.send(cmd('PING'));
    await c.expect('+PONG\r\n');
    expect(seen).toEqual(['1:PING']);
    c.send(cmd('ECHO', 'x'));
    await c.expect(F.concat(F.simple('before'), F.bulk('x')));
    fake.off('GET');
    c.send(cmd('GET', 'k'));
    await c.expect("-ERR unknown command 'GET', with args beginning with: 'k' \r\n");
  });

  test('a delayed reply keeps command order; async handlers; per-connection state', async () => {
    fake.once('GET', () => ({ delayMs: 150, bytes: F.bulk('slow') }));
    fake.on('INCR', (_argv, ctx) => {
      ctx.state.n = ((ctx.state.n as number | undefined) ?? 0) + 1;
      return F.integer(ctx.state.n as number);
    });
    fake.on('SET', async () => {
      await new Promise((r) => setTimeout(r, 10));
      return F.simple('OK');
    });
    const c = await connect();
    const t0 = Date.now();
    c.send(Buffer.concat([cmd('GET', 'k'), cmd('PING'), cmd('INCR', 'x'), cmd('SET', 'a', 'b')]));
    await fake.waitForCommand('SET');
    expect(fake.commands).toHaveLength(4); // recorded on arrival, before the delayed reply
    await c.expect(F.concat(F.bulk('slow'), F.simple('PONG'), F.integer(1), F.simple('OK')));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    const d = await connect();
    d.send(cmd('INCR', 'x'));
    await d.expect(':1\r\n');
    c.send(cmd('INCR', 'x'));
    await c.expect(':2\r\n');
  });

  test('noReply skips one reply; close destroys; bytes + close sends a partial reply then FIN', async () => {
    fake.once('GET', () => ({ noReply: true }));
    const c = await connect();
    c.send(Buffer.concat([cmd('GET', 'k'), cmd('PING')]));
    await c.expect('+PONG\r\n');

    fake.once('GET', () => ({ bytes: '$10\r\nhalf', close: true }));
    c.send(cmd('GET', 'k'));
    await c.expect('$10\r\nhalf');
    await c.waitClosed();

    fake.once('GET', () => ({ close: true }));
    const d = await connect();
    d.send(cmd('GET', 'k'));
    await d.waitClosed();
    expect(d.received.length).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.connections.map((x) => x.alive)).toEqual([false, false]);

    fake.once('GET', () => ({ delayMs: 50, close: true, reset: true }));
    const e = await connect();
    e.send(cmd('GET', 'k'));
    await e.waitClosed();
  });

  test('QUIT replies +OK then closes; malformed input gets a protocol error and is closed', async () => {
    const c = await connect();
    c.send(cmd('QUIT'));
    await c.expect('+OK\r\n');
    await c.waitClosed();
    const d = await connect();
    d.send('*1\r\n:5\r\n');
    await d.expect("-ERR Protocol error: expected '$', got ':'\r\n");
    await d.waitClosed();
  });

  test('push / writeRaw / pushAll at any time; killConnection', async () => {
    const c = await connect();
    c.send(cmd('HELLO', '3'));
    await c.expect(hello3(1));
    const connId = fake.commands[0]!.connId;
    const frame = F.push([F.bulk('MOVING'), F.integer(1), F.integer(15), F.bulk('127.0.0.1:7777')]);
    fake.push(connId, frame);
    await c.expect(frame);
    fake.push(connId, ['invalidate', ['k1', 'k2']]);
    await c.expect(F.push([F.bulk('invalidate'), F.array([F.bulk('k1'), F.bulk('k2')])]));
    fake.writeRaw(connId, '+garbage\r\n');
    await c.expect('+garbage\r\n');
    const d = await connect();
    await fake.waitForConnections(2);
    fake.pushAll(F.push([F.bulk('x')]));
    await c.expect('>1\r\n$1\r\nx\r\n');
    await d.expect('>1\r\n$1\r\nx\r\n');
    fake.killConnection(2);
    await d.waitClosed();
    expect(fake.aliveConnectionIds).toEqual([1]);
    expect(() => fake.push(99, 'x')).toThrow(/no connection 99/);
  });

  test('waitForCommand: past and future commands, predicate, fromIndex, timeout', async () => {
    const c = await connect();
    c.send(cmd('SET', 'a', '1'));
    expect(await fake.waitForCommand('set')).toEqual(['SET', 'a', '1']);
    const later = fake.waitForCommand('SET', (argv) => argv[1] === 'b', 1000);
    const next = fake.waitForCommand('SET', undefined, 1000, { fromIndex: fake.commands.length });
    c.send(cmd('SET', 'b', '2'));
    expect(await later).toEqual(['SET', 'b', '2']);
    expect(await next).toEqual(['SET', 'b', '2']);
    expect(await fake.waitForCommand('CLUSTER SHARDS', undefined, 1000).catch((e: Error) => e.message)).toBe(
      'fake server: no CLUSTER SHARDS command within 1000 ms',
    );
    expect(fake.commandNames()).toEqual(['SET', 'SET']);
  });

  test('close() destroys client sockets and leaves no handles', async () => {
    // Only what this test creates counts: the server, its accepted socket, the raw client and the timers.
    const tracker = new HandleTracker();
    let other: FakeRedisServer | undefined;
    try {
      const { c, pending } = await tracker.run(async () => {
        other = await FakeRedisServer.start();
        const c = await RawClient.connect(other.port);
        other.once('GET', () => ({ delayMs: 10_000, bytes: '+late\r\n' }));
        c.send(cmd('GET', 'k'));
        await other.waitForCommand('GET');
        const pending = other.waitForCommand('NEVER', undefined, 10_000).catch((e: Error) => e.message);
        return { c, pending };
      });
      expect(tracker.createdByKind).toMatchObject({ TCPSERVERWRAP: 1, TCPWRAP: 2 });
      expect(tracker.createdByKind.Timeout).toBeGreaterThanOrEqual(2); // the delayed reply and the NEVER wait
      await tracker.run(() => other!.close());
      await c.waitClosed();
      expect(await pending).toBe('fake server closed');
      await expectNoLeftovers(tracker);
      await other!.close(); // idempotent
    } finally {
      tracker.disable();
      await other?.close();
    }
  });
});
