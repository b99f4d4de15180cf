// Multi-key commands across slots: split per slot and recomposed (MGET order, DEL/EXISTS sums, MSET per slot).
import { ArgumentError, PartialFailureError, ReplyError } from '../../lib/index.js';
import { mainCluster } from '../support/cluster-client.js';
import { withCluster } from '../support/cluster-client.js';
import { describeWithServers, redisCli } from '../support/servers.js';

describeWithServers('multi-key commands over slots', () => {
  const keys = Array.from({ length: 50 }, (_, i) => `mk:${i}`);

  it('MSET over many slots, then MGET keeps the caller order with nulls for missing keys', async () => {
    await withCluster(async (cluster) => {
      expect(new Set(keys.map((k) => cluster.keySlot(k))).size).toBeGreaterThan(10);
      expect(await cluster.mSet(keys.flatMap((k, i) => [k, `v${i}`]))).toBe('OK');
      const asked = [...keys].reverse().concat(['mk:missing']);
      expect(await cluster.mGet(asked)).toEqual([...keys.map((_, i) => `v${i}`).reverse(), null]);
    });
  });

  it('sums DEL, EXISTS, TOUCH and UNLINK across slots (never one reply per slot)', async () => {
    await withCluster(async (cluster) => {
      await cluster.mSet(keys.flatMap((k) => [k, 'x']));
      expect(await cluster.exists([...keys, 'mk:none'])).toBe(50);
      expect(await cluster.touch(keys.slice(0, 10))).toBe(10);
      expect(await cluster.del(keys.slice(0, 25))).toBe(25);
      expect(await cluster.unlink([...keys.slice(20), 'mk:none'])).toBe(25);
      expect(await cluster.exists(keys)).toBe(0);
    });
  });

  it('splits raw multi_shard commands too: sendCommand and pipeline addCommand with keys over many slots', async () => {
    await withCluster(async (cluster) => {
      const raw = keys.map((k) => `raw:${k}`);
      expect(await cluster.sendCommand(['MSET', ...raw.flatMap((k, i) => [k, `r${i}`])])).toBe('OK');
      expect(await cluster.sendCommand(['mget', ...raw.slice(0, 20), 'raw:none'])).toEqual([...raw.slice(0, 20).map((_, i) => `r${i}`), null]);
      expect(await cluster.sendCommand([Buffer.from('EXISTS'), ...raw])).toBe(50);
      const outcomes = await cluster
        .pipeline()
        .addCommand(['TOUCH', ...raw.slice(0, 10)])
        .addCommand(['DEL', ...raw.slice(0, 30)])
        .addCommand(['UNLINK', ...raw, 'raw:none'])
        .exec();
      expect(outcomes).toEqual([
        { status: 'fulfilled', value: 10 },
        { status: 'fulfilled', value: 30 },
        { status: 'fulfilled', value: 20 },
      ]);
      // An odd MSET list is refused before anything is sent.
      await expect(cluster.sendCommand(['MSET', 'raw:a', '1', 'raw:b'])).rejects.toBeInstanceOf(ArgumentError);
    });
  });

  it('reports which slots of a split MSET failed, and keeps the parts that succeeded', async () => {
    await withCluster(
      async (cluster) => {
        const master = cluster.getPrimaries()[0]!;
        const victim = keys.find((k) => cluster.getNodeByKey(k)!.address === master.address)!;
        const others = keys.filter((k) => cluster.getNodeByKey(k)!.address !== master.address).slice(0, 5);
        // Writes to one master stall past the client's 300 ms deadline; the other masters answer.
        await cluster.nodeClient(master).sendCommand(['CLIENT', 'PAUSE', '1500', 'WRITE']);
        const partial = await cluster.mSet([victim, '3', ...others.flatMap((k) => [k, '3'])]).catch((e: unknown) => e);
        // Not on the client's own connection to that node: its paused MSET holds that connection's line.
        await redisCli(master.port, 'CLIENT', 'UNPAUSE');
        expect(partial).toBeInstanceOf(PartialFailureError);
        expect((partial as PartialFailureError).failures.map((f) => f.slot)).toEqual([cluster.keySlot(victim)]);
        expect(await cluster.mGet(others)).toEqual(others.map(() => '3'));
      },
      { defaults: { commandTimeout: 300 } },
    );
  });

  describe('a slot group that fails (NOPERM for its keys) is reported the same way by every split command', () => {
    const user = `nrc-partial-${process.pid}`;
    const password = 'partial-pw';
    const allowed = ['a1', 'a2', 'a3'].map((t) => `mkp:allowed:{${t}}`);
    const denied = ['d1', 'd2'].map((t) => `mkp:denied:{${t}}`);
    const mixed = [allowed[0]!, denied[0]!, allowed[1]!, denied[1]!, allowed[2]!];

    it('DEL, EXISTS, TOUCH, UNLINK and MGET reject with PartialFailureError: per slot, what ran with what reply, what failed with what', async () => {
      await withCluster(async (admin) => {
        const slots = (ks: string[]) => ks.map((k) => admin.keySlot(k));
        expect(new Set([...slots(allowed), ...slots(denied)]).size).toBe(5);
        // ACL SETUSER reaches every node (request policy all_nodes).
        expect(await admin.sendCommand(['ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, '~mkp:allowed:*', '+@all'])).toBe('OK');
        const restricted = mainCluster({ defaults: { username: user, password } });
        try {
          await restricted.connect();
          for (const [name, run] of [
            ['EXISTS', () => restricted.exists(mixed)],
            ['TOUCH', () => restricted.touch(mixed)],
            ['MGET', () => restricted.mGet(mixed)],
            ['DEL', () => restricted.del(mixed)],
            ['UNLINK', () => restricted.unlink(mixed)],
          ] as const) {
            for (const key of [...allowed, ...denied]) await admin.set(key, 'v');
            const error = await run().catch((e: unknown) => e);
            expect([name, error]).toEqual([name, expect.any(PartialFailureError)]);
            const partial = error as PartialFailureError;
            expect(partial.message).toContain(name);
            expect(partial.failures.map((f) => f.slot).sort()).toEqual(slots(denied).sort());
            expect(partial.outcomes).toHaveLength(5);
            for (const outcome of partial.outcomes) {
              const key = mixed[outcome.entries[0]!]!;
              expect(outcome.entries).toHaveLength(1);
              expect(outcome.slot).toBe(admin.keySlot(key));
              if (key.includes('denied')) {
                expect(outcome.status).toBe('rejected');
                expect((outcome as { reason: ReplyError }).reason).toBeInstanceOf(ReplyError);
                expect((outcome as { reason: ReplyError }).reason.prefix).toBe('NOPERM');
              } else {
                expect(outcome).toMatchObject({ status: 'fulfilled', value: name === 'MGET' ? ['v'] : 1 });
              }
            }
            // The groups that ran kept their effect; the refused ones did nothing.
            const removed = name === 'DEL' || name === 'UNLINK';
            expect(await admin.exists(allowed)).toBe(removed ? 0 : 3);
            expect(await admin.exists(denied)).toBe(2);
          }
          // An odd trailing key of MSET is refused before anything is sent.
          await admin.set(allowed[0]!, 'v');
          await expect(restricted.mSet([allowed[0]!, 'x', allowed[1]!])).rejects.toBeInstanceOf(ArgumentError);
          expect(await admin.get(allowed[0]!)).toBe('v');
        } finally {
          await restricted.close();
          await admin.sendCommand(['ACL', 'DELUSER', user]);
          await admin.del([...allowed, ...denied]);
        }
      });
    });
  });
});
