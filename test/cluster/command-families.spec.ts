// Every command family against the real cluster, in RESP3 and RESP2: the typed methods must give
// the same, documented (node-redis) shapes whatever the protocol.
import type { RedisCluster } from '../../lib/index.js';
import { withCluster } from '../support/cluster-client.js';
import { describeWithServers } from '../support/servers.js';

const run = Math.random().toString(36).slice(2, 8);

/** Runs one scenario per family and returns everything it observed, for comparison across protocols. */
async function exercise(c: RedisCluster, tag: string): Promise<Record<string, unknown>> {
  const k = (name: string) => `fam:${run}:{${tag}}:${name}`;
  const out: Record<string, unknown> = {};
  // strings and counters
  out.set = await c.set(k('s'), 'hello', { EX: 100 });
  out.setGet = await c.set(k('s'), 'world', { GET: true });
  out.get = await c.get(k('s'));
  out.append = await c.append(k('s'), '!');
  out.strLen = await c.strLen(k('s'));
  out.getRange = await c.getRange(k('s'), 0, 2);
  out.incr = await c.incr(k('n'));
  out.incrBy = await c.incrBy(k('n'), 10);
  out.incrByFloat = await c.incrByFloat(k('n'), 1.5);
  out.decr = await c.decr(k('m'));
  out.mSetNX = await c.mSetNX([k('a'), '1', k('b'), '2']);
  out.mGet = await c.mGet([k('a'), k('b'), k('missing')]);
  out.getDel = await c.getDel(k('a'));
  out.setNX = await c.setNX(k('a'), 'x');
  // bits
  out.setBit = await c.setBit(k('bits'), 7, 1);
  out.getBit = await c.getBit(k('bits'), 7);
  out.bitCount = await c.bitCount(k('bits'));
  // keys and expiry
  out.exists = await c.exists([k('s'), k('none')]);
  out.expire = await c.expire(k('s'), 100);
  out.ttlPositive = ((await c.ttl(k('s'))) as number) > 0;
  out.persist = await c.persist(k('s'));
  out.ttl = await c.ttl(k('s'));
  out.type = await c.type(k('s'));
  out.rename = await c.rename(k('s'), k('s2'));
  out.objectEncoding = await c.objectEncoding(k('s2'));
  // hashes
  out.hSet = await c.hSet(k('h'), { f1: 'v1', f2: 'v2', n: '1' });
  out.hGet = await c.hGet(k('h'), 'f1');
  out.hGetAll = { ...(await c.hGetAll(k('h'))) };
  out.hmGet = await c.hmGet(k('h'), ['f1', 'nope']);
  out.hIncrBy = await c.hIncrBy(k('h'), 'n', 5);
  out.hIncrByFloat = await c.hIncrByFloat(k('h'), 'n', 0.5);
  out.hKeys = ((await c.hKeys(k('h'))) as string[]).sort();
  out.hLen = await c.hLen(k('h'));
  out.hExists = await c.hExists(k('h'), 'f2');
  out.hDel = await c.hDel(k('h'), 'f2');
  out.hScan = await c.hScan(k('h'), '0');
  // lists
  out.rPush = await c.rPush(k('l'), ['a', 'b', 'c']);
  out.lPush = await c.lPush(k('l'), 'z');
  out.lRange = await c.lRange(k('l'), 0, -1);
  out.lPop = await c.lPop(k('l'));
  out.lLen = await c.lLen(k('l'));
  out.lIndex = await c.lIndex(k('l'), 1);
  out.lPos = await c.lPos(k('l'), 'c');
  out.lMove = await c.lMove(k('l'), k('l2'), 'LEFT', 'RIGHT');
  out.blPop = await c.blPop(k('l2'), 1);
  out.blPopEmpty = await c.blPop(k('empty'), 0.05);
  // sets
  out.sAdd = await c.sAdd(k('set'), ['a', 'b', 'c']);
  out.sAdd2 = await c.sAdd(k('set2'), ['b', 'c', 'd']);
  out.sMembers = ((await c.sMembers(k('set'))) as string[]).sort();
  out.sIsMember = await c.sIsMember(k('set'), 'a');
  out.smIsMember = await c.smIsMember(k('set'), ['a', 'x']);
  out.sCard = await c.sCard(k('set'));
  out.sInter = ((await c.sInter([k('set'), k('set2')])) as string[]).sort();
  out.sInterCard = await c.sInterCard([k('set'), k('set2')]);
  out.sUnionStore = await c.sUnionStore(k('u'), [k('set'), k('set2')]);
  out.sDiff = await c.sDiff([k('set'), k('set2')]);
  // sorted sets
  out.zAdd = await c.zAdd(k('z'), [
    { score: 1, value: 'one' },
    { score: 2.5, value: 'two' },
    { score: 3, value: 'three' },
  ]);
  out.zScore = await c.zScore(k('z'), 'two');
  out.zmScore = await c.zmScore(k('z'), ['one', 'nope']);
  out.zRank = await c.zRank(k('z'), 'three');
  out.zCard = await c.zCard(k('z'));
  out.zCount = await c.zCount(k('z'), 1, 2.5);
  out.zRange = await c.zRange(k('z'), 0, -1);
  out.zRangeWithScores = await c.zRangeWithScores(k('z'), 0, -1);
  out.zRangeByScore = await c.zRangeByScore(k('z'), 2, 3);
  out.zIncrBy = await c.zIncrBy(k('z'), 1, 'one');
  out.zPopMin = await c.zPopMin(k('z'));
  out.zRem = await c.zRem(k('z'), 'three');
  out.bzPopMax = await c.bzPopMax(k('z'), 1);
  // streams and groups
  const id1 = await c.xAdd(k('x'), '1-1', { a: '1' });
  const id2 = await c.xAdd(k('x'), '2-1', { b: '2' });
  out.xAdd = [id1, id2];
  out.xLen = await c.xLen(k('x'));
  out.xRange = await c.xRange(k('x'), '-', '+');
  out.xRevRange = await c.xRevRange(k('x'), '+', '-', { COUNT: 1 });
  out.xRead = await c.xRead({ key: k('x'), id: '0' }, { COUNT: 1 });
  out.xGroupCreate = await c.xGroupCreate(k('x'), 'g', '0');
  out.xReadGroup = await c.xReadGroup('g', 'alice', { key: k('x'), id: '>' }, { COUNT: 1 });
  out.xPending = await c.xPending(k('x'), 'g');
  out.xAck = await c.xAck(k('x'), 'g', id1 as string);
  out.xDel = await c.xDel(k('x'), id2 as string);
  out.xInfoGroups = await c.xInfoGroups(k('x'));
  // HyperLogLog and geo
  out.pfAdd = await c.pfAdd(k('hll'), ['a', 'b', 'c']);
  out.pfCount = await c.pfCount(k('hll'));
  out.geoAdd = await c.geoAdd(k('geo'), [
    { longitude: 13.361389, latitude: 38.115556, member: 'Palermo' },
    { longitude: 15.087269, latitude: 37.502669, member: 'Catania' },
  ]);
  out.geoDist = await c.geoDist(k('geo'), 'Palermo', 'Catania', 'km');
  out.geoSearch = await c.geoSearch(k('geo'), 'Palermo', { radius: 200, unit: 'km' });
  out.geoHash = await c.geoHash(k('geo'), 'Palermo');
  // scripts and functions
  out.eval = await c.eval("return {KEYS[1], ARGV[1], 3}", { keys: [k('e')], arguments: ['arg'] });
  // misc
  out.echo = await c.echo('hi');
  out.ping = await c.ping();
  await c.del([k('s2'), k('n'), k('m'), k('a'), k('b'), k('bits'), k('h'), k('l'), k('l2'), k('set'), k('set2'), k('u'), k('z'), k('x'), k('hll'), k('geo')]);
  return out;
}

describeWithServers('command families on a real cluster', () => {
  it('give identical, node-redis-shaped results over RESP3 and RESP2', async () => {
    const resp3 = await withCluster((c) => exercise(c, 'r3'), { defaults: { RESP: 3 } });
    const resp2 = await withCluster((c) => exercise(c, 'r2'), { defaults: { RESP: 2 } });
    const normalise = (v: Record<string, unknown>) => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x))) as unknown;
    // Key names differ by their tag only; replace before comparing.
    expect(JSON.stringify(normalise(resp2)).replaceAll('{r2}', '{r3}')).toEqual(JSON.stringify(normalise(resp3)));
    expect(resp3).toMatchObject({
      set: 'OK',
      setGet: 'hello',
      get: 'world',
      append: 6,
      strLen: 6,
      getRange: 'wor',
      incr: 1,
      incrBy: 11,
      incrByFloat: '12.5',
      decr: -1,
      mSetNX: 1,
      mGet: ['1', '2', null],
      exists: 1,
      ttlPositive: true,
      persist: 1,
      ttl: -1,
      type: 'string',
      rename: 'OK',
      hSet: 3,
      hGet: 'v1',
      hGetAll: { f1: 'v1', f2: 'v2', n: '1' },
      hmGet: ['v1', null],
      hIncrBy: 6,
      hIncrByFloat: '6.5',
      hKeys: ['f1', 'f2', 'n'],
      hLen: 3,
      rPush: 3,
      lPush: 4,
      lRange: ['z', 'a', 'b', 'c'],
      lPop: 'z',
      lLen: 3,
      blPopEmpty: null,
      sAdd: 3,
      sMembers: ['a', 'b', 'c'],
      smIsMember: [1, 0],
      sInter: ['b', 'c'],
      sInterCard: 2,
      sUnionStore: 4,
      sDiff: ['a'],
      zAdd: 3,
      zScore: 2.5,
      zmScore: [1, null],
      zRank: 2,
      zCard: 3,
      zCount: 2,
      zRange: ['one', 'two', 'three'],
      zRangeWithScores: [
        { value: 'one', score: 1 },
        { value: 'two', score: 2.5 },
        { value: 'three', score: 3 },
      ],
      xLen: 2,
      xGroupCreate: 'OK',
      xAck: 1,
      xDel: 1,
      pfAdd: 1,
      pfCount: 3,
      geoAdd: 2,
      echo: 'hi',
      ping: 'PONG',
    });
    expect(resp3.xRange).toEqual([
      { id: '1-1', message: { a: '1' } },
      { id: '2-1', message: { b: '2' } },
    ]);
    expect(resp3.blPop).toMatchObject({ element: expect.any(String) });
    expect((resp3.eval as unknown[]).slice(1)).toEqual(['arg', 3]);
  });
});
