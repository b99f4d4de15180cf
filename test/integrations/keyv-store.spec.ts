// RedisClusterKeyvStore with the real Keyv 5.6 against the main test cluster. Oracles: Keyv over its own Map
// store (what Keyv expects values to become) and @keyv/redis 5.1 on the standalone node (what a Redis store does).
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import fc from 'fast-check';
import Keyv from 'keyv';
import KeyvRedis from '@keyv/redis';
import { ArgumentError, ConfigError, type RedisCluster } from '../../lib/index.js';
import { RedisClusterKeyvStore } from '../../lib/keyv.js';
import { mainCluster } from '../support/cluster-client.js';
import { describeWithServers, testServers } from '../support/servers.js';
import { until } from '../support/workload.js';

const run = Math.random().toString(36).slice(2, 8);

describeWithServers('Keyv store over the cluster', () => {
  let cluster: RedisCluster;
  const keyvs: Keyv[] = [];
  const newKeyv = (namespace: string | undefined, options: { prefix?: string } = {}): Keyv => {
    const k = new Keyv({ store: new RedisClusterKeyvStore(cluster, options), namespace, throwOnErrors: true });
    keyvs.push(k);
    return k;
  };

  beforeAll(async () => {
    cluster = mainCluster();
    await cluster.connect();
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('values round-trip exactly as through Keyv over its own Map (fast-check)', async () => {
    const ours = newKeyv(`rt-${run}`);
    const oracle = new Keyv({ store: new Map(), namespace: `rt-${run}` });
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.string({ maxLength: 40 }), async (value, name) => {
        const key = `${name}#${i++}`;
        await ours.set(key, value);
        await oracle.set(key, value);
        expect(await ours.get(key)).toEqual(await oracle.get(key));
      }),
      { numRuns: 150 },
    );
    const special = { buf: Buffer.from([0, 1, 255]), date: new Date(0), big: 12345678901234567890n.toString(), nested: { a: [1, { b: null }] } };
    for (const [k, v] of Object.entries(special)) {
      await ours.set(k, v);
      await oracle.set(k, v);
      expect(await ours.get(k)).toEqual(await oracle.get(k));
    }
  });

  it('set with a ttl in ms expires on the server; get/has/delete/getMany/deleteMany across slots', async () => {
    const kv = newKeyv(`ops-${run}`);
    await kv.set('long', 'v', 60_000);
    const pttl = (await cluster.pTTL(`ops-${run}:long`)) as number;
    expect(pttl).toBeGreaterThan(50_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    await kv.set('short', 'v', 40);
    await until(async () => (await kv.get('short')) === undefined, 'the short key to expire', 5000, 20);
    expect(await kv.has('short')).toBe(false);
    expect(await cluster.exists(`ops-${run}:short`)).toBe(0);

    const keys = Array.from({ length: 40 }, (_, n) => `m${n}`);
    expect(new Set(keys.map((k) => cluster.keySlot(`ops-${run}:${k}`))).size).toBeGreaterThan(10);
    await kv.setMany(keys.map((key, n) => ({ key, value: { n } })));
    expect(await kv.getMany([...keys, 'nope'])).toEqual([...keys.map((_, n) => ({ n })), undefined]);
    expect(await kv.has('m3')).toBe(true);
    expect(await kv.hasMany(['m1', 'nope'])).toEqual([true, false]);
    expect(await kv.delete('m0')).toBe(true);
    expect(await kv.delete('m0')).toBe(false);
    expect(await kv.deleteMany(keys.slice(1, 20))).toBe(true);
    expect((await kv.getMany(keys)).filter((v) => v !== undefined)).toHaveLength(20);
  });

  it('clear() deletes only its namespace, on every master, and no key outside it (glob characters escaped)', async () => {
    const ns = `we*ird?[${run}]`;
    const a = newKeyv(ns);
    const b = newKeyv(`other-${run}`);
    const keys = Array.from({ length: 120 }, (_, n) => `k${n}`);
    await a.setMany(keys.map((key) => ({ key, value: key })));
    await b.setMany(keys.slice(0, 10).map((key) => ({ key, value: key })));
    // Keys a careless pattern (unescaped, or without the ':' boundary) would also match:
    const bystanders = [`weXirdY${run[0]}:k1`, `we*ird?[${run}]x:k1`, `we*ird?[${run}]`];
    for (const k of bystanders) await cluster.set(k, 'keep');
    const masters = new Set(keys.map((k) => cluster.getSlotMaster(cluster.keySlot(`${ns}:${k}`))?.address));
    expect(masters.size).toBe(cluster.getPrimaries().length);

    await a.clear();
    expect((await a.getMany(keys)).every((v) => v === undefined)).toBe(true);
    expect(await b.getMany(keys.slice(0, 10))).toEqual(keys.slice(0, 10));
    for (const k of bystanders) expect(await cluster.get(k)).toBe('keep');
    await cluster.del(bystanders);
  });

  it('iterator() yields the namespace entries through Keyv', async () => {
    const kv = newKeyv(`it-${run}`);
    await kv.setMany([
      { key: 'x', value: 1 },
      { key: 'y', value: { z: 2 } },
    ]);
    const seen: Array<[string, unknown]> = [];
    for await (const entry of kv.iterator!(`it-${run}`)) seen.push(entry as [string, unknown]);
    expect(seen.sort((p, q) => p[0].localeCompare(q[0]))).toEqual([
      ['x', 1],
      ['y', { z: 2 }],
    ]);
  });

  it('a store prefix isolates keys; without namespace or prefix clear() refuses instead of touching the cluster', async () => {
    const prefixed = newKeyv(undefined, { prefix: `pfx-${run}:` });
    await prefixed.set('a', 1);
    expect(await cluster.exists(`pfx-${run}:a`)).toBe(1);
    await prefixed.clear();
    expect(await cluster.exists(`pfx-${run}:a`)).toBe(0);

    const bare = new RedisClusterKeyvStore(cluster);
    await cluster.set(`bare-${run}`, 'keep');
    await expect(bare.clear()).rejects.toBeInstanceOf(ConfigError);
    expect(await cluster.get(`bare-${run}`)).toBe('keep');
    await cluster.del(`bare-${run}`);
  });

  it('bad arguments reject with ArgumentError (never a synchronous throw, never the value in the message)', async () => {
    const store = new RedisClusterKeyvStore(cluster);
    const secret = 'top-secret-value';
    const calls: Array<() => Promise<unknown>> = [
      () => store.set('k', { secret }),
      () => store.set('k', secret, Number.NaN),
      () => store.set('k', secret, -5),
      () => store.get(42 as unknown as string),
      () => store.getMany('k' as unknown as string[]),
      () => store.deleteMany([secret, 7 as unknown as string]),
    ];
    for (const call of calls) {
      let promise: Promise<unknown> | undefined;
      expect(() => {
        promise = call();
      }).not.toThrow();
      const error = await promise!.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as Error).message).not.toContain(secret);
    }
    expect(() => new RedisClusterKeyvStore(cluster, { scanCount: 0 })).toThrow(ConfigError);
  });

  it('disconnect() closes a client the store created, and leaves a borrowed one open', async () => {
    const borrowed = new RedisClusterKeyvStore(cluster);
    await borrowed.disconnect();
    expect(cluster.isOpen).toBe(true);
    const owned = new RedisClusterKeyvStore({ rootNodes: [{ url: `redis://127.0.0.1:${testServers().clusters.main.ports[0]}` }] });
    const kv = new Keyv({ store: owned, namespace: `own-${run}` });
    await kv.set('a', 1);
    expect(await kv.get('a')).toBe(1);
    await kv.disconnect();
    expect(owned.client.isOpen).toBe(false);
  });

  it('behaves like @keyv/redis for the same sequence of operations', async () => {
    const ns = `cmp-${run}`;
    const ours = newKeyv(ns);
    const theirs = new Keyv({ store: new KeyvRedis(`redis://127.0.0.1:${testServers().standalone.port}`), namespace: ns, useKeyPrefix: false });
    try {
      const ops = async (kv: Keyv): Promise<unknown[]> => {
        const out: unknown[] = [];
        out.push(await kv.set('a', { x: 1 }));
        out.push(await kv.set('b', 'two', 60_000));
        out.push(await kv.get('a'), await kv.get('b'), await kv.get('c'));
        out.push(await kv.getMany(['a', 'c', 'b']));
        out.push(await kv.has('a'), await kv.has('c'));
        out.push(await kv.delete('a'), await kv.delete('a'));
        await kv.clear();
        out.push(await kv.get('b'));
        return out;
      };
      expect(await ops(ours)).toEqual(await ops(theirs));
    } finally {
      await theirs.disconnect();
    }
  });
});
