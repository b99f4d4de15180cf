// Hash field expiration (HGETEX, HSETEX, HGETDEL, HEXPIRE…HPERSIST) against the real cluster, RESP3 and RESP2.
// Redis 8.0+ and Valkey 9.0+ have them all; on Debian's Redis 7.0 the block is skipped with its reason shown.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { ArgumentError, type RedisCluster } from '../../lib/index.js';
import { HASH_EXPIRATION } from '../../lib/engine/commands/families/hash-field-expiration.js';
import { mainCluster } from '../support/cluster-client.js';
import { describeOnServer, serverLabel } from '../support/servers.js';
import { until } from '../support/workload.js';

const run = Math.random().toString(36).slice(2, 8);

for (const RESP of [3, 2] as const) {
  describeOnServer({ redis: 8, valkey: 9 }, 'hash field expiration', `hash field expiration (RESP${RESP})`, () => {
    let c: RedisCluster;
    const k = (name: string) => `hfe:${run}:r${RESP}:{${name}}`;

    beforeAll(async () => {
      c = mainCluster({ defaults: { RESP } });
      await c.connect();
      process.stderr.write(`[hash-fields] running on ${serverLabel()}\n`);
    });
    afterAll(async () => {
      await c.close();
    });

    it('HSETEX sets fields with a TTL; FNX/FXX conditions; HTTL/HPTTL/HEXPIRETIME/HPEXPIRETIME read it back', async () => {
      const key = k('setex');
      const before = Date.now();
      expect(await c.hSetEx(key, { a: '1', b: '2' }, { expiration: { type: 'EX', value: 100 } })).toBe(1);
      expect(await c.hSetEx(key, { a: 'x' }, { mode: 'FNX' })).toBe(0);
      expect(await c.hSetEx(key, [['a', '3'], ['c', '4']], { mode: 'FXX' })).toBe(0);
      expect(await c.hSetEx(key, new Map([['a', '5']]), { mode: 'FXX', expiration: 'KEEPTTL' })).toBe(1);
      expect(await c.hGetAll(key)).toEqual({ a: '5', b: '2' });

      const ttl = (await c.hTTL(key, ['a', 'b', 'missing']))!;
      expect(ttl[0]).toBeGreaterThan(90);
      expect(ttl[0]).toBeLessThanOrEqual(100);
      expect(ttl[2]).toBe(-2);
      const pttl = (await c.hpTTL(key, 'b'))!;
      expect(pttl[0]).toBeGreaterThan(90_000);
      expect(pttl[0]).toBeLessThanOrEqual(100_000);
      const at = (await c.hExpireTime(key, 'a'))!;
      expect(at[0]).toBeGreaterThanOrEqual(Math.floor(before / 1000) + 99);
      const pat = (await c.hpExpireTime(key, 'a'))!;
      expect(pat[0]).toBeGreaterThanOrEqual(before + 99_000);

      expect(await c.hSetEx(key, { d: '6' })).toBe(1);
      expect(await c.hTTL(key, 'd')).toEqual([-1]);
    });

    it('HGETEX reads values and sets (PX, EXAT as a Date) or removes (PERSIST) their TTL', async () => {
      const key = k('getex');
      await c.hSet(key, { a: '1', b: '2' });
      expect(await c.hGetEx(key, ['a', 'nope', 'b'], { expiration: { type: 'PX', value: 50_000 } })).toEqual(['1', null, '2']);
      const pttl = (await c.hpTTL(key, ['a', 'b']))!;
      expect(pttl.every((t) => t > 40_000 && t <= 50_000)).toBe(true);
      expect(await c.hGetEx(key, 'a', { expiration: 'PERSIST' })).toEqual(['1']);
      expect(await c.hTTL(key, ['a', 'b'])).toEqual([-1, expect.any(Number)]);
      const when = new Date(Date.now() + 300_000);
      expect(await c.hGetEx(key, 'a', { expiration: { type: 'EXAT', value: when } })).toEqual(['1']);
      expect(await c.hExpireTime(key, 'a')).toEqual([Math.floor(when.getTime() / 1000)]);
      expect(await c.hGetEx(key, 'b')).toEqual(['2']);
    });

    it('HGETDEL returns the values and deletes the fields (and the key once empty)', async () => {
      const key = k('getdel');
      await c.hSet(key, { a: '1', b: '2' });
      expect(await c.hGetDel(key, ['a', 'zz'])).toEqual(['1', null]);
      expect(await c.hGetAll(key)).toEqual({ b: '2' });
      expect(await c.hGetDel(key, 'b')).toEqual(['2']);
      expect(await c.exists(key)).toBe(0);
    });

    it('HEXPIRE/HPEXPIRE with NX/XX/GT/LT, HEXPIREAT/HPEXPIREAT in the past delete, HPERSIST', async () => {
      const key = k('expire');
      await c.hSet(key, { a: '1', b: '2', c: '3', d: '4' });
      expect(await c.hExpire(key, ['a', 'missing'], 100, 'NX')).toEqual([HASH_EXPIRATION.UPDATED, HASH_EXPIRATION.FIELD_NOT_EXISTS]);
      expect(await c.hExpire(key, 'a', 100, 'NX')).toEqual([HASH_EXPIRATION.CONDITION_NOT_MET]);
      expect(await c.hExpire(key, 'b', 100, 'XX')).toEqual([HASH_EXPIRATION.CONDITION_NOT_MET]);
      expect(await c.hpExpire(key, 'a', 200_000, 'GT')).toEqual([HASH_EXPIRATION.UPDATED]);
      expect(await c.hpExpire(key, 'a', 300_000, 'LT')).toEqual([HASH_EXPIRATION.CONDITION_NOT_MET]);
      expect(await c.hExpireAt(key, 'b', new Date(Date.now() + 500_000))).toEqual([HASH_EXPIRATION.UPDATED]);
      expect(await c.hExpireAt(key, 'c', 1)).toEqual([HASH_EXPIRATION.DELETED]);
      expect(await c.hpExpireAt(key, 'd', new Date(1000))).toEqual([HASH_EXPIRATION.DELETED]);
      expect(await c.hKeys(key).then((f) => [...f].sort())).toEqual(['a', 'b']);
      expect(await c.hPersist(key, ['a', 'b', 'zz'])).toEqual([1, 1, -2]);
      expect(await c.hPersist(key, 'a')).toEqual([-1]);
      expect(await c.hTTL(`${key}:none`, 'a')).toEqual([-2]);
    });

    it('a field with a short TTL goes away on its own, the rest of the hash stays', async () => {
      const key = k('short');
      await c.hSet(key, { keep: '1', drop: '2' });
      expect(await c.hpExpire(key, 'drop', 50)).toEqual([1]);
      await until(async () => (await c.hExists(key, 'drop')) === 0, 'the field to expire', 5000, 20);
      expect(await c.hGetAll(key)).toEqual({ keep: '1' });
    });

    it('bad options reject with ArgumentError and send nothing', async () => {
      const key = k('bad');
      await c.hSet(key, { a: '1' });
      const calls: Array<() => Promise<unknown>> = [
        () => c.hExpire(key, 'a', Number.NaN),
        () => c.hpExpire(key, 'a', 1.5),
        () => c.hExpireAt(key, 'a', new Date(Number.NaN)),
        () => c.hExpire(key, 'a', 1, 'XY' as 'NX'),
        () => c.hGetEx(key, 'a', { expiration: { type: 'EX', value: Number.POSITIVE_INFINITY } }),
        () => c.hSetEx(key, { a: '2' }, { expiration: { type: 'PX', value: '10' as unknown as number } }),
        () => c.hSetEx(key, {}),
        () => c.hTTL(key, []),
      ];
      for (const call of calls) {
        // (Wrapped: a definition's build error reaches the caller as a rejection once cluster-client wraps def.build.)
        await expect(Promise.resolve().then(call)).rejects.toBeInstanceOf(ArgumentError);
      }
      expect(await c.hGetAll(key)).toEqual({ a: '1' });
      expect(await c.hTTL(key, 'a')).toEqual([-1]);
    });
  });
}
