/**
 * Tests of the test-server harness itself (scripts/lib + test/support/servers.ts) against the servers started by
 * the jest global setup. Raw sockets and redis-cli only: the project's own client is not used here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import {
  clusterNodes,
  describeWithServers,
  failover,
  isNodeAlive,
  keySlot,
  keysInSlot,
  killNode,
  mastersAndReplicas,
  migrateSlot,
  nodeCommand,
  redisCli,
  resetCluster,
  restartNode,
  serversFilePath,
  testServers,
  waitForClusterOk,
  waitForFailoverAfterKill,
  type TestCluster,
} from '../support/servers.js';

/** Sends raw bytes and resolves with the first `lines` CRLF-terminated lines of the answer. */
function exchange(socket: net.Socket, bytes: string, lines = 1): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      if (buf.split('\r\n').length > lines) {
        cleanup();
        resolve(buf);
      }
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.write(bytes);
  });
}

function connectPlain(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

function connectTls(port: number, options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => resolve(s));
    s.once('error', reject);
  });
}

async function expectShape(cluster: TestCluster) {
  await waitForClusterOk(cluster, 5000);
  const topo = await mastersAndReplicas(cluster);
  expect(topo.masters).toHaveLength(3);
  expect(topo.replicas).toHaveLength(3);
  for (const shard of topo.shards) expect(shard.replicas).toHaveLength(1);
  expect([...topo.masters, ...topo.replicas].sort()).toEqual([...cluster.ports].sort());
  const covered = topo.shards.flatMap((s) => s.slots).reduce((n, [a, b]) => n + b - a + 1, 0);
  expect(covered).toBe(16384);
  return topo;
}

/** The servers of this run (read lazily: servers.json exists only once the global setup ran). */
const s0 = new Proxy({} as ReturnType<typeof testServers>, { get: (_t, k) => testServers()[k as keyof ReturnType<typeof testServers>] });

describeWithServers('test server harness', () => {
  test('servers.json describes every server', async () => {
    expect(existsSync(serversFilePath())).toBe(true);
    const s = testServers();
    const o = Number(process.env.NRC_TEST_PORT_OFFSET ?? 0);
    expect(s.clusters.main.ports).toEqual([30001, 30002, 30003, 30004, 30005, 30006].map((p) => p + o));
    expect(s.clusters.chaos.ports).toEqual([30101, 30102, 30103, 30104, 30105, 30106].map((p) => p + o));
    expect(s.standalone.port).toBe(30201 + o);
    expect(s.tls.port).toBe(30202 + o);
    expect(s.acl).toMatchObject({ port: 30203 + o, username: 'app', password: 'app-secret' });
    // The server comes from NRC_REDIS_BIN_DIR (scripts/lib/server-bin.mjs), else Debian's 7.0 on PATH.
    const binDir = process.env.NRC_REDIS_BIN_DIR;
    if (binDir) {
      expect(s.server.binDir).toBe(resolve(binDir));
      expect(s.bin.redisServer.startsWith(resolve(binDir))).toBe(true);
      expect(s.redisVersion).toBe(s.server.version);
    } else {
      expect(s.server).toMatchObject({ flavour: 'redis', binDir: null });
      expect(s.redisVersion).toMatch(/^7\./);
    }
    expect(await redisCli(s.standalone.port, 'INFO', 'server')).toContain(`${s.server.flavour === 'valkey' ? 'valkey' : 'redis'}_version:${s.server.version}`);
    for (const f of [s.tls.caFile, s.tls.certFile, s.tls.keyFile, s.tls.clientCertFile, s.tls.clientKeyFile, s.tls.wrongCaFile]) {
      expect(existsSync(f)).toBe(true);
    }
    for (const n of [...s.clusters.main.nodes, ...s.clusters.chaos.nodes, s.standalone, s.tls, s.acl]) {
      expect(Number(readFileSync(`${n.dir}/pid`, 'utf8'))).toBeGreaterThan(0);
      expect(n.args).toEqual(expect.arrayContaining(['--enable-debug-command', 'local', '--appendonly', 'yes']));
    }
  });

  test('main and chaos clusters are ok with 3 masters and 3 replicas', async () => {
    const s = testServers();
    await expectShape(s.clusters.main);
    await expectShape(s.clusters.chaos);
    const nodes = await clusterNodes(s0.clusters.main.ports[0]);
    expect(nodes).toHaveLength(6);
    expect(nodes.filter((n) => n.myself)).toHaveLength(1);
    expect(await redisCli(s0.clusters.main.ports[0], 'CLUSTER', 'INFO')).toContain('cluster_state:ok');
  });

  test('standalone node answers and has DEBUG enabled', async () => {
    expect(await redisCli(s0.standalone.port, 'PING')).toBe('PONG');
    expect(await nodeCommand(s0.standalone.port, 'DEBUG', 'SLEEP', '0')).toBe('OK');
    await expect(redisCli(s0.standalone.port, 'NOSUCHCOMMAND')).rejects.toThrow(/unknown command/);
    expect(await redisCli({ port: s0.standalone.port, allowError: true }, 'NOSUCHCOMMAND')).toMatch(/^ERR unknown command/);
  });

  test('TLS node: PING with the test CA, refused with the wrong CA, mutual TLS works', async () => {
    const s = testServers().tls;
    const ok = await connectTls(s.tlsPort, { ca: readFileSync(s.caFile) });
    expect(ok.authorized).toBe(true);
    expect(await exchange(ok, 'PING\r\n')).toBe('+PONG\r\n');
    ok.destroy();

    await expect(connectTls(s.tlsPort, { ca: readFileSync(s.wrongCaFile) })).rejects.toThrow(/certificate|self[- ]signed|verify/i);

    const mutual = await connectTls(s.tlsPort, {
      ca: readFileSync(s.caFile),
      cert: readFileSync(s.clientCertFile),
      key: readFileSync(s.clientKeyFile),
    });
    expect(await exchange(mutual, '*1\r\n$4\r\nPING\r\n')).toBe('+PONG\r\n');
    mutual.destroy();

    expect(await redisCli(s.tlsPort, 'PING')).toBe('PONG');
    expect(await nodeCommand(s.tlsPort, 'PING')).toBe('PONG');
  });

  test('ACL node: NOAUTH without AUTH, accepts AUTH app app-secret, rejects a wrong password', async () => {
    const sock = await connectPlain(s0.acl.port);
    expect(await exchange(sock, 'PING\r\n')).toMatch(/^-NOAUTH /);
    expect(await exchange(sock, 'AUTH app wrong\r\n')).toMatch(/^-WRONGPASS /);
    expect(await exchange(sock, 'AUTH default nopass\r\n')).toMatch(/^-WRONGPASS /);
    expect(await exchange(sock, 'AUTH app app-secret\r\n')).toBe('+OK\r\n');
    expect(await exchange(sock, 'PING\r\n')).toBe('+PONG\r\n');
    sock.destroy();
    expect(await redisCli(s0.acl.port, 'ACL', 'WHOAMI')).toBe('app');
  });

  test('keySlot matches CLUSTER KEYSLOT', async () => {
    for (const k of ['foo', 'bar', '{user1000}.following', 'a{}b', '{}{x}', 'ключ']) {
      expect(keySlot(k)).toBe(Number(await nodeCommand(s0.clusters.main.ports[0], 'CLUSTER', 'KEYSLOT', k)));
    }
  });
});

describeWithServers('chaos cluster control', () => {
  let chaos: TestCluster;
  beforeAll(() => {
    chaos = testServers().clusters.chaos;
  });
  afterAll(async () => {
    await resetCluster(testServers().clusters.chaos);
  });

  test('migrateSlot moves a slot with its keys, pausing between steps (ASK, TRYAGAIN, MOVED)', async () => {
    const topo = await mastersAndReplicas(chaos);
    const slot = 777;
    const from = topo.ownerOf(slot)!;
    const to = topo.masters.find((p) => p !== from)!;
    const keys = keysInSlot(slot, 12, 'mig:');
    for (const k of keys) await nodeCommand(from, 'SET', k, `v-${k}`);
    const [missing] = keysInSlot(slot, 1, 'absent:');

    const seen: string[] = [];
    const result = await migrateSlot(chaos, slot, from, to, {
      batchSize: 5,
      onStep: async (step, info) => {
        seen.push(step);
        if (step === 'migrating') {
          // The source still has every key; a missing key is redirected with ASK.
          expect(await redisCli({ port: from, allowError: true }, 'GET', keys[0]!)).toBe(`v-${keys[0]}`);
          expect(await redisCli({ port: from, allowError: true }, 'GET', missing!)).toBe(`ASK ${slot} 127.0.0.1:${to}`);
        }
        if (step === 'batch' && info.movedKeys === 5) {
          const moved = info.batch![0]!;
          const stayed = keys.find((k) => !info.batch!.includes(k))!;
          expect(await redisCli({ port: from, allowError: true }, 'GET', moved)).toBe(`ASK ${slot} 127.0.0.1:${to}`);
          expect(await redisCli({ port: from, allowError: true }, 'MGET', moved, stayed)).toMatch(/^TRYAGAIN/);
          // The target serves the moved key after ASKING only.
          expect(await redisCli({ port: to, allowError: true }, 'GET', moved)).toMatch(/^MOVED/);
        }
      },
    });
    expect(result.movedKeys).toBe(12);
    expect(seen).toEqual(['importing', 'migrating', 'batch', 'batch', 'batch', 'keys-migrated', 'node-dst', 'node-src', 'done']);
    for (const k of keys) expect(await redisCli(to, 'GET', k)).toBe(`v-${k}`);
    expect(await redisCli({ port: from, allowError: true }, 'GET', keys[0]!)).toBe(`MOVED ${slot} 127.0.0.1:${to}`);
    expect((await mastersAndReplicas(chaos)).ownerOf(slot)).toBe(to);

    // And back again.
    await migrateSlot(chaos, slot, to, from);
    expect((await mastersAndReplicas(chaos)).ownerOf(slot)).toBe(from);
    for (const k of keys) expect(await redisCli(from, 'GET', k)).toBe(`v-${k}`);
    await waitForClusterOk(chaos, 5000);
  });

  test('failover promotes a replica and the old master follows it', async () => {
    const before = await mastersAndReplicas(chaos);
    const replica = before.replicas[0]!;
    const oldMaster = before.masterOf(replica)!;
    const res = await failover(replica);
    expect(res).toEqual({ newMasterPort: replica, oldMasterPort: oldMaster });
    const after = await mastersAndReplicas(chaos);
    expect(after.masters).toContain(replica);
    expect(after.masterOf(oldMaster)).toBe(replica);
  });

  test('killNode + waitForFailoverAfterKill + restartNode + resetCluster', async () => {
    const topo = await mastersAndReplicas(chaos);
    const victim = topo.masters[0]!;
    const replica = topo.replicaOf(victim)!;
    const slot = topo.shards.find((s) => s.master.port === victim)!.slots[0]![0];
    const [key] = keysInSlot(slot, 1, 'survivor:');
    await nodeCommand(victim, 'SET', key!, 'kept');
    expect(await nodeCommand(victim, 'WAIT', '1', '2000')).toBe(1);

    const oldPid = testServers().clusters.chaos.nodes.find((n) => n.port === victim)!.pid;
    const t0 = Date.now();
    await killNode(victim);
    expect(await isNodeAlive(victim)).toBe(false);
    const promoted = await waitForFailoverAfterKill(victim);
    const failoverMs = Date.now() - t0;
    expect(promoted).toBe(replica);
    expect(failoverMs).toBeLessThan(15_000);
    expect(await redisCli(promoted, 'GET', key!)).toBe('kept');

    const pid = await restartNode(victim);
    expect(pid).not.toBe(oldPid);
    expect(testServers().clusters.chaos.nodes.find((n) => n.port === victim)!.pid).toBe(pid);
    await waitForClusterOk(chaos);
    const after = await mastersAndReplicas(chaos);
    expect(after.masterOf(victim)).toBe(promoted);

    // Break it some more, then reset: a dead replica and leftover data.
    await killNode(topo.replicas.find((p) => p !== victim && p !== promoted)!);
    const { recreated } = await resetCluster(chaos);
    expect(recreated).toBe(false);
    await expectShape(chaos);
    for (const p of chaos.ports) expect(await nodeCommand(p, 'DBSIZE')).toBe(0);
  }, 60_000);

  test('resetCluster can recreate the cluster from scratch', async () => {
    const idsBefore = (await clusterNodes(s0.clusters.chaos.ports[0])).map((n) => n.id).sort();
    const { recreated } = await resetCluster(chaos, { recreate: true });
    expect(recreated).toBe(true);
    await expectShape(testServers().clusters.chaos);
    const idsAfter = (await clusterNodes(s0.clusters.chaos.ports[0])).map((n) => n.id).sort();
    expect(idsAfter).not.toEqual(idsBefore);
    for (const n of testServers().clusters.chaos.nodes) expect(await isNodeAlive(n.port)).toBe(true);
  }, 60_000);
});
