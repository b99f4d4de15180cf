// Cluster-wide commands route by the command table's request policy, on the real main cluster:
// FLUSHALL/FLUSHDB empty every shard, DBSIZE is the sum over the masters, SCRIPT LOAD/FLUSH and
// FUNCTION LOAD/DELETE reach every master, a failure on one node is a NodeFanOutError naming it,
// sendCommand follows the same rule, and SCAN on the cluster is refused (scanIterator instead).
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { NodeFanOutError, UnsupportedCommandError, type RedisCluster } from '../../lib/index.js';
import { mainCluster } from '../support/cluster-client.js';
import { describeWithServers, mastersAndReplicas, nodeCommand, testServers, type Topology } from '../support/servers.js';
import { slotIn, tagForSlot } from '../support/workload.js';

const main = () => testServers().clusters.main;
const LIBRARY = `nrcwide${process.pid}`;
const LIBRARY_CODE = `#!lua name=${LIBRARY}\nredis.register_function('${LIBRARY}_f', function() return 1 end)`;

describeWithServers('cluster-wide commands (main cluster)', () => {
  let cluster: RedisCluster;
  let topo: Topology;
  /** Five keys per master, each master's keys sharing one hash tag. */
  let keysByMaster: Map<number, string[]>;

  beforeAll(async () => {
    topo = await mastersAndReplicas(main());
    expect(topo.masters).toHaveLength(3);
    keysByMaster = new Map(
      topo.shards.map((shard) => {
        const tag = tagForSlot(slotIn(shard.slots, 7), 'wide');
        return [shard.master.port, Array.from({ length: 5 }, (_, i) => `cw:${i}:{${tag}}`)];
      }),
    );
    cluster = mainCluster();
    await cluster.connect();
  });

  afterAll(async () => {
    await cluster.close();
  });

  async function fill(): Promise<void> {
    for (const keys of keysByMaster.values()) for (const key of keys) await cluster.set(key, 'x');
    for (const port of topo.masters) expect(Number(await nodeCommand(port, 'DBSIZE'))).toBeGreaterThanOrEqual(5);
  }

  const perMaster = async (...args: string[]) => Promise.all(topo.masters.map((port) => nodeCommand(port, ...args)));

  it('DBSIZE is the sum over every master', async () => {
    await fill();
    const sizes = (await perMaster('DBSIZE')).map(Number);
    expect(await cluster.dbSize()).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(await cluster.sendCommand(['DBSIZE'])).toBe(sizes.reduce((a, b) => a + b, 0));
  });

  it('FLUSHALL empties every shard (typed and through sendCommand), FLUSHDB too', async () => {
    await fill();
    expect(await cluster.flushAll()).toBe('OK');
    expect((await perMaster('DBSIZE')).map(Number)).toEqual([0, 0, 0]);
    expect(await cluster.dbSize()).toBe(0);

    await fill();
    expect(await cluster.sendCommand(['flushall', 'SYNC'])).toBe('OK');
    expect((await perMaster('DBSIZE')).map(Number)).toEqual([0, 0, 0]);

    await fill();
    expect(await cluster.flushDb('ASYNC')).toBe('OK');
    expect(await cluster.dbSize()).toBe(0);
  });

  it('KEYS and RANDOMKEY see every shard', async () => {
    await cluster.flushAll();
    await fill();
    const all = [...keysByMaster.values()].flat().sort();
    expect(((await cluster.sendCommand<string[]>(['KEYS', 'cw:*'])) ?? []).sort()).toEqual(all);
    // Only the last master's shard has keys: RANDOMKEY still finds one.
    const [first, second, third] = topo.masters;
    for (const port of [first!, second!]) for (const key of keysByMaster.get(port)!) await cluster.del(key);
    for (let i = 0; i < 5; i++) expect(keysByMaster.get(third!)).toContain(await cluster.sendCommand(['RANDOMKEY']));
    await cluster.flushAll();
    expect(await cluster.sendCommand(['RANDOMKEY'])).toBeNull();
  });

  it('SCRIPT LOAD is visible on every master (and replica); SCRIPT EXISTS is their AND; SCRIPT FLUSH clears all', async () => {
    const sha = await cluster.scriptLoad(`return 'nrc-${process.pid}'`);
    for (const port of topo.masters) expect([port, await nodeCommand(port, 'SCRIPT', 'EXISTS', sha)]).toEqual([port, [1]]);
    // Every replica the client knows (a 7.0 replica that has replicated nothing yet reports "loading" and is left out).
    const replicas = cluster.getReplicas().map((r) => r.port);
    for (const port of replicas) expect([port, await nodeCommand(port, 'SCRIPT', 'EXISTS', sha)]).toEqual([port, [1]]);
    expect(await cluster.scriptExists([sha, '0'.repeat(40)])).toEqual([1, 0]);
    // Missing on one master: EXISTS answers 0 for the cluster.
    await nodeCommand(topo.masters[1]!, 'SCRIPT', 'FLUSH');
    expect(await cluster.scriptExists(sha)).toEqual([0]);
    expect(await cluster.scriptFlush()).toBe('OK');
    for (const port of topo.masters) expect(await nodeCommand(port, 'SCRIPT', 'EXISTS', sha)).toEqual([0]);
  });

  it('FUNCTION LOAD/DELETE reach every master; a failure on one is a NodeFanOutError naming it', async () => {
    await perMaster('FUNCTION', 'FLUSH');
    expect(await cluster.functionLoad(LIBRARY_CODE)).toBe(LIBRARY);
    for (const port of topo.masters) expect(JSON.stringify(await nodeCommand(port, 'FUNCTION', 'LIST'))).toContain(LIBRARY);

    // Deleted behind the client's back on one master: DELETE succeeds on two, fails on that one.
    const victim = topo.masters[2]!;
    await nodeCommand(victim, 'FUNCTION', 'DELETE', LIBRARY);
    const error = await cluster.functionDelete(LIBRARY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeFanOutError);
    const fan = error as NodeFanOutError;
    expect(fan.command).toBe('FUNCTION DELETE');
    const byPort = new Map(fan.outcomes.map((o) => [Number(o.address.slice(o.address.lastIndexOf(':') + 1)), o.status]));
    expect([...byPort.keys()].sort()).toEqual([...topo.masters].sort());
    expect(byPort.get(victim)).toBe('rejected');
    expect(topo.masters.filter((p) => p !== victim).map((p) => byPort.get(p))).toEqual(['fulfilled', 'fulfilled']);
    expect(fan.message).toContain(`:${victim}`);
    for (const port of topo.masters) expect(JSON.stringify(await nodeCommand(port, 'FUNCTION', 'LIST'))).not.toContain(LIBRARY);
    expect(await cluster.functionFlush()).toBe('OK');
  });

  it('FUNCTION FLUSH and FUNCTION RESTORE reach every master: a dump restored after a flush is back on each', async () => {
    await perMaster('FUNCTION', 'FLUSH');
    expect(await cluster.functionLoad(LIBRARY_CODE)).toBe(LIBRARY);
    const payload = await cluster.functionDump();
    expect(Buffer.isBuffer(payload)).toBe(true);
    expect(await cluster.functionFlush()).toBe('OK');
    for (const port of topo.masters) expect(JSON.stringify(await nodeCommand(port, 'FUNCTION', 'LIST'))).not.toContain(LIBRARY);
    expect(await cluster.functionRestore(payload)).toBe('OK');
    for (const port of topo.masters) expect(JSON.stringify(await nodeCommand(port, 'FUNCTION', 'LIST'))).toContain(LIBRARY);
    // APPEND (the default) refuses a library that exists, on every master; REPLACE overwrites it.
    const again = await cluster.functionRestore(payload).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(NodeFanOutError);
    expect((again as NodeFanOutError).outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await cluster.functionRestore(payload, 'REPLACE')).toBe('OK');
    expect(await cluster.functionFlush()).toBe('OK');
  });

  it('CONFIG SET reaches every master and replica (typed, object form and sendCommand); CONFIG GET reads one', async () => {
    const all = [...topo.masters, ...topo.replicas];
    expect(all).toHaveLength(6);
    const hzOf = async () => Promise.all(all.map(async (port) => String(((await nodeCommand(port, 'CONFIG', 'GET', 'hz')) as string[])[1])));
    const before = await hzOf();
    try {
      expect(await cluster.configSet('hz', '17')).toBe('OK');
      expect(await hzOf()).toEqual(all.map(() => '17'));
      expect(await cluster.configGet('hz')).toEqual({ hz: '17' });
      expect(await cluster.configSet({ hz: '18', 'lazyfree-lazy-user-del': 'no' })).toBe('OK');
      expect(await hzOf()).toEqual(all.map(() => '18'));
      expect(await cluster.sendCommand(['CONFIG', 'SET', 'hz', '19'])).toBe('OK');
      expect(await hzOf()).toEqual(all.map(() => '19'));
      // A parameter no node knows: every node refuses, the error names the command.
      const refused = await cluster.configSet('no-such-parameter-nrc', '1').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(NodeFanOutError);
      expect((refused as NodeFanOutError).command).toBe('CONFIG SET');
    } finally {
      await Promise.all(all.map((port, i) => nodeCommand(port, 'CONFIG', 'SET', 'hz', before[i]!)));
    }
  });

  it('connections a fan-out opened to replicas are closed by close(), nothing left in flight', async () => {
    // Replicas that have replicated something (a 7.0 replica at offset 0 is "loading" and left out).
    await fill();
    const own = mainCluster();
    await own.connect();
    const replicas = own.getReplicas();
    expect(replicas.length).toBeGreaterThan(0);
    expect(await own.scriptLoad('return 7')).toMatch(/^[0-9a-f]{40}$/);
    const opened = replicas.map((r) => own.node(r.address)!);
    expect(opened.every((node) => node !== undefined && node.connection.isOpen)).toBe(true);
    const masters = own.getPrimaries().map((m) => own.node(m.address)!);
    await own.close();
    for (const node of [...opened, ...masters]) {
      expect([node.address, node.connection.isOpen, node.connection.inflightCount, node.connection.pendingCount]).toEqual([node.address, false, 0, 0]);
    }
  });

  it('pipelines route cluster-wide commands the same way', async () => {
    await fill();
    const outcomes = await cluster.pipeline().dbSize().flushAll().dbSize().exec();
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'rejected'))).toEqual([15, 'OK', 0]);
  });

  it('SCAN on the cluster is refused with a pointer to scanIterator; per node it works', async () => {
    await fill();
    // Not in the cluster's type; called anyway (plain JS), it rejects.
    await expect((cluster as unknown as { scan(cursor: string): Promise<unknown> }).scan('0')).rejects.toBeInstanceOf(UnsupportedCommandError);
    await expect(cluster.sendCommand(['SCAN', '0'])).rejects.toThrow(/scanIterator/);
    const seen: string[] = [];
    for await (const page of cluster.scanIterator({ MATCH: 'cw:*' })) seen.push(...page);
    expect([...new Set(seen)].sort()).toEqual([...keysByMaster.values()].flat().sort());
    const port = topo.masters[0]!;
    let cursor = '0';
    const onNode: string[] = [];
    do {
      const page = await cluster.nodeClient(`127.0.0.1:${port}`).scan(cursor, { MATCH: 'cw:*' });
      cursor = page.cursor;
      onNode.push(...page.keys);
    } while (cursor !== '0');
    expect(onNode.sort()).toEqual([...keysByMaster.get(port)!].sort());
    await cluster.flushAll();
  });
});
