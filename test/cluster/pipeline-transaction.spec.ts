// Pipelines over any slots, MULTI/EXEC on one slot, WATCH sessions on pooled connections, blocking commands.
import { CommandTimeoutError, CrossSlotError, ReplyError, UnsupportedCommandError, WatchError, type PipelineOutcome } from '../../lib/index.js';
import { redisCli } from '../support/servers.js';
import { withCluster } from '../support/cluster-client.js';
import { describeWithServers } from '../support/servers.js';

function values(outcomes: PipelineOutcome[]): unknown[] {
  return outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.reason));
}

describeWithServers('pipelines, transactions and WATCH', () => {
  it('runs a pipeline over many slots in order, with one outcome per command', async () => {
    await withCluster(async (cluster) => {
      const p = cluster.pipeline();
      for (let i = 0; i < 100; i++) p.set(`pl:${i}`, String(i));
      p.set('pl:str', 'x').lPush('pl:str', 'oops').get('pl:str').mGet(['pl:1', 'pl:2', 'pl:99']).del(['pl:0', 'pl:1']);
      expect(p.length).toBe(105);
      const out = values(await p.exec());
      expect(out.slice(0, 100)).toEqual(Array.from({ length: 100 }, () => 'OK'));
      expect(out[100]).toBe('OK');
      expect(out[101]).toBeInstanceOf(ReplyError);
      expect((out[101] as ReplyError).prefix).toBe('WRONGTYPE');
      expect(out.slice(102)).toEqual(['x', ['1', '2', '99'], 2]);
      await expect(p.exec()).rejects.toMatchObject({ code: 'ERR_REDIS_ALREADY_EXECUTED' });
    });
  });

  it('runs MULTI/EXEC on the slot owner and refuses cross-slot transactions before sending', async () => {
    await withCluster(async (cluster) => {
      await cluster.del('{tx}n');
      expect(await cluster.multi().set('{tx}n', '1').incr('{tx}n').incrBy('{tx}n', 5).get('{tx}n').exec()).toEqual(['OK', 2, 7, '7']);
      const inside = await cluster.multi().set('{tx}s', 'a').lPush('{tx}s', 'b').get('{tx}s').exec();
      expect(inside[0]).toBe('OK');
      expect(inside[1]).toBeInstanceOf(ReplyError);
      expect(inside[2]).toBe('a');
      // Keys of two slots that no other test (nor hostile-arguments' generated keys) writes.
      const [a, b] = [`{pt-a}${Math.random()}`, `{pt-b}${Math.random()}`];
      await expect(cluster.multi().set(a, '1').set(b, '2').exec()).rejects.toBeInstanceOf(CrossSlotError);
      expect(await cluster.exists([a, b])).toBe(0);
    });
  });

  it('WATCH: EXEC succeeds when nothing changed and rejects with WatchError when a watched key changed', async () => {
    await withCluster(async (cluster) => {
      await cluster.set('{w}balance', '10');
      const ok = await cluster.watch('{w}balance');
      const balance = Number(await ok.get('{w}balance'));
      expect(await ok.multi().set('{w}balance', String(balance - 3)).exec()).toEqual(['OK']);
      expect(await cluster.get('{w}balance')).toBe('7');

      const session = await cluster.watch('{w}balance');
      await session.get('{w}balance');
      await cluster.set('{w}balance', '100'); // another writer, on the shared connection
      await expect(session.multi().set('{w}balance', '0').exec()).rejects.toBeInstanceOf(WatchError);
      expect(await cluster.get('{w}balance')).toBe('100');

      const released = await cluster.watch('{w}balance');
      await released.release();
      expect(() => released.multi()).toThrow(/ended/);
      await expect(cluster.watch('{w}a', '{x}b')).rejects.toBeInstanceOf(CrossSlotError);
      // Sessions went back to the pool: one dedicated connection reused for all of them.
      const owner = cluster.node(cluster.getNodeByKey('{w}balance')!.address)!;
      expect(owner.pool.size).toBe(1);
    });
  });

  it('runs a blocking command on a dedicated connection without stalling other traffic', async () => {
    await withCluster(async (cluster) => {
      await cluster.del('{bl}q');
      const popped = cluster.blPop('{bl}q', 5);
      const others = await Promise.all(Array.from({ length: 1000 }, (_, i) => (i % 2 ? cluster.get('{bl}k') : cluster.set('{bl}k', String(i)))));
      expect(others).toHaveLength(1000);
      let settled = false;
      void popped.then(() => (settled = true));
      await cluster.rPush('{bl}q', 'job');
      expect(await popped).toEqual({ key: '{bl}q', element: 'job' });
      expect(settled).toBe(true);
      // A blocking call whose server timeout expires answers null, it does not hit the client deadline.
      expect(await cluster.blPop('{bl}q', 0.2)).toBeNull();
    });
  });

  it('a blocking command waiting for a dedicated connection still rejects at its deadline, unsent', async () => {
    await withCluster(
      async (cluster) => {
        await cluster.del(['{bp}a', '{bp}b']);
        const holder = cluster.blPop('{bp}a', 2); // takes the only dedicated connection for 2 s
        const started = Date.now();
        const error = await cluster.blPop('{bp}b', 0).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CommandTimeoutError);
        expect((error as CommandTimeoutError).written).toBe(false);
        expect(Date.now() - started).toBeLessThan(1500);
        await cluster.rPush('{bp}a', 'x');
        expect(await holder).toEqual({ key: '{bp}a', element: 'x' });
      },
      { pool: { maxSize: 1 }, defaults: { commandTimeout: 300 } },
    );
  });

  it('refuses commands that would change the state of a shared connection, naming the API to use', async () => {
    await withCluster(async (cluster) => {
      for (const argv of [['SUBSCRIBE', 'x'], ['MULTI'], ['WATCH', 'k'], ['MONITOR'], ['CLIENT', 'REPLY', 'OFF'], ['SELECT', '1']]) {
        const error = await cluster.sendCommand(argv).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnsupportedCommandError);
      }
      expect(((await cluster.sendCommand(['SUBSCRIBE', 'x']).catch((e: unknown) => e)) as Error).message).toMatch(/cluster\.subscribe\(\)/);
      expect(await cluster.ping()).toBe('PONG');
    });
  });

  it('a WATCH whose connection was lost fails exec with WatchError instead of running unprotected', async () => {
    await withCluster(async (cluster) => {
      await cluster.set('{wl}k', '1');
      const session = await cluster.watch('{wl}k');
      const id = await session.sendCommand<number>(['CLIENT', 'ID']);
      await redisCli(cluster.getNodeByKey('{wl}k')!.port, 'CLIENT', 'KILL', 'ID', String(id));
      // The dedicated connection reconnects by itself; the server has forgotten the WATCH.
      for (;;) {
        const pong = await session.sendCommand(['PING']).catch(() => undefined);
        if (pong === 'PONG') break;
      }
      await expect(session.multi().set('{wl}k', '2').exec()).rejects.toBeInstanceOf(WatchError);
      expect(await cluster.get('{wl}k')).toBe('1');
    });
  });
});
