// What a caller passes never reaches the engine's own state, on the real main cluster:
// - per-command options: only `timeout`, `returnBuffers` and `master` are taken from a caller; the
//   engine's fields (`node`, `slot`, `deadline`, `observer`, …) are ignored, before and after the
//   lazy connect (they used to crash the process from a promise callback);
// - commands that change a connection's state are refused in transactions and WATCH sessions too
//   (RESET and QUIT run at once even inside MULTI, on the shared connection);
// - the remaining entry points reject bad input with ArgumentError / AlreadyExecutedError.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import dc from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { AlreadyExecutedError, ArgumentError, CHANNELS, UnsupportedCommandError, defineScript, type RedisCluster } from '../../lib/index.js';
import { mainCluster } from '../support/cluster-client.js';
import { describeWithServers, keySlot } from '../support/servers.js';
import { useCrashRecorder } from '../support/crash-recorder.js';
import { recordCommands } from '../observability/support/otel.js';

const SECRET = 'S3CRET-OPTION';
const TAG = `{callopts${process.pid}}`;

/** The engine's own option fields, with any values (a caller must not be able to set them). */
const engineFields = fc.record(
  {
    node: fc.anything(),
    slot: fc.oneof(fc.anything(), fc.integer({ min: -5, max: 20000 })),
    deadline: fc.oneof(fc.anything(), fc.double()),
    observer: fc.oneof(fc.anything(), fc.constant({}), fc.constant({ onNode: SECRET })),
    asking: fc.anything(),
    expectPushes: fc.anything(),
  },
  { requiredKeys: [] },
);

describeWithServers('caller input never reaches the engine’s own options (main cluster)', () => {
  const { crashes } = useCrashRecorder();
  let cluster: RedisCluster;

  beforeAll(async () => {
    cluster = mainCluster({ defaults: { commandTimeout: 2000 } });
    await cluster.connect();
  });

  afterAll(async () => {
    await cluster.close();
  });

  it('engine fields in sendCommand options are ignored before the lazy connect', async () => {
    const lazy = mainCluster({ defaults: { commandTimeout: 2000 } });
    try {
      const samples = fc.sample(engineFields, { numRuns: 50, seed: 42 });
      samples.push({ observer: {} }, { node: 'x' }, { slot: 'abc' }, { deadline: -1 }, { deadline: NaN }, { slot: 99999 });
      const outcomes = await Promise.allSettled(samples.map((options, i) => lazy.sendCommand(['SET', `${TAG}:lazy:${i}`, 'v'], options as never)));
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      expect(outcomes.map((o) => (o as PromiseFulfilledResult<unknown>).value)).toEqual(samples.map(() => 'OK'));
      expect(crashes).toEqual([]);
    } finally {
      await lazy.close();
    }
  });

  it('engine fields are ignored by sendCommand, nodeClient, runScript and pipeline addCommand (property)', async () => {
    const key = `${TAG}:k`;
    await cluster.set(key, 'v');
    const address = cluster.getNodeByKey(key)!.address;
    const script = defineScript('return redis.call("GET", KEYS[1])');
    await fc.assert(
      fc.asyncProperty(engineFields, async (options) => {
        expect(await cluster.sendCommand(['GET', key], options as never)).toBe('v');
        expect(await cluster.nodeClient(address).sendCommand(['GET', key], options as never)).toBe('v');
        expect(await cluster.runScript(script, { keys: [key] }, options as never)).toBe('v');
        const outcomes = await cluster.pipeline().addCommand(['GET', key], options as never).addCommand(['PING']).exec();
        expect(outcomes.map((o) => o.status === 'fulfilled' && o.value)).toEqual(['v', 'PONG']);
      }),
      { numRuns: 60 },
    );
    expect(crashes).toEqual([]);
  });

  it('pipeline addCommand keeps the public options: returnBuffers, and master with replica reads on', async () => {
    const key = `${TAG}:pipe`;
    await cluster.set(key, 'v');
    const reading = mainCluster({ useReplicas: true });
    const recorder = recordCommands();
    try {
      await reading.connect();
      const outcomes = await reading
        .pipeline()
        .addCommand(['GET', key], { returnBuffers: true, master: true })
        .addCommand(['GET', key], { master: true })
        .addCommand(['GET', key], { master: true })
        .exec();
      expect(outcomes[0]!.status === 'fulfilled' && Buffer.isBuffer(outcomes[0]!.value)).toBe(true);
      expect(outcomes.slice(1).map((o) => o.status === 'fulfilled' && o.value)).toEqual(['v', 'v']);
      const roles = recorder.events.filter((e) => e.event === 'asyncEnd' && e.context.command === 'GET').map((e) => e.context.nodeRole);
      expect(roles).toEqual(['master', 'master', 'master']);
    } finally {
      recorder.stop();
      await reading.close();
    }
  });

  it('configSet with an object of no entries (or a Map) is an ArgumentError, nothing sent', async () => {
    for (const empty of [{}, new Map([['hz', '10']])]) {
      const error = await cluster.configSet(empty as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArgumentError);
    }
  });

  it('public options are still honoured; a bad `master` is an ArgumentError naming the option', async () => {
    const key = `${TAG}:pub`;
    await cluster.set(key, 'v');
    const buffer = await cluster.sendCommand(['GET', key], { returnBuffers: true, master: true, timeout: 1000 });
    expect(Buffer.isBuffer(buffer)).toBe(true);
    const bad = await cluster.sendCommand(['GET', key], { master: SECRET } as never).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ArgumentError);
    expect((bad as ArgumentError).position).toBe('options.master');
    expect(inspect(bad)).not.toContain(SECRET);
  });

  describe('connection-state commands', () => {
    const refusedInMulti: Array<readonly string[]> = [
      ['QUIT'],
      ['RESET'],
      ['HELLO', '2'],
      ['CLIENT', 'REPLY', 'OFF'],
      ['CLIENT', 'TRACKING', 'ON'],
      ['SELECT', '0'],
      ['MULTI'],
      ['EXEC'],
      ['WATCH', `${TAG}:w`],
      ['SUBSCRIBE', 'c'],
      ['WAIT', '1', '0'],
      ['WAITAOF', '0', '0', '0'],
      ['reset'],
      ['READWRITE'],
      ['READONLY'],
      ['ASKING'],
    ];

    it.each(refusedInMulti.map((argv) => [argv.join(' '), argv] as const))('multi().addCommand(%s) rejects exec whole, sends nothing, and the shared connection keeps working', async (_name, argv) => {
      const key = `${TAG}:tx:${argv.join('-')}`;
      await cluster.del(key);
      const outcome = await cluster.multi().set(key, 'written').addCommand(argv).incr(`${key}:n`).exec().catch((e: unknown) => e);
      expect(outcome).toBeInstanceOf(UnsupportedCommandError);
      expect((outcome as Error).message).toMatch(/multi\.addCommand\(\)/);
      expect(await cluster.exists(key)).toBe(0);
      // The main connection is intact: still RESP3 (a map reply), still authenticated, replies aligned.
      expect(await cluster.multi().set(key, 'ok').get(key).exec()).toEqual(['OK', 'ok']);
      expect(await cluster.get(key)).toBe('ok');
    });

    it('a WATCH session refuses connection-state commands (WATCH of its own slot excepted), and every call after exec() or release() rejects with AlreadyExecutedError', async () => {
      const key = `${TAG}:session`;
      await cluster.set(key, '1');
      const session = await cluster.watch(key);
      for (const argv of [['MULTI'], ['EXEC'], ['UNWATCH'], ['RESET'], ['QUIT'], ['HELLO', '2'], ['READWRITE'], ['ASKING']]) {
        await expect(session.sendCommand(argv)).rejects.toBeInstanceOf(UnsupportedCommandError);
      }
      expect(await session.sendCommand(['GET', key])).toBe('1');
      expect(await session.multi().set(key, '2').exec()).toEqual(['OK']);
      await expect(session.sendCommand(['GET', key])).rejects.toBeInstanceOf(AlreadyExecutedError);
      await expect(session.get(key)).rejects.toBeInstanceOf(AlreadyExecutedError);

      const more = await cluster.watch(key);
      // More keys of the session's slot may be watched on its connection; another slot is refused.
      expect(await more.sendCommand(['WATCH', `${TAG}:session2`])).toBe('OK');
      const elsewhere = ['{nrc-a}', '{nrc-b}'].find((k) => keySlot(k) !== keySlot(key))!;
      await expect(more.sendCommand(['WATCH', elsewhere])).rejects.toMatchObject({ code: 'ERR_REDIS_CROSSSLOT' });
      await cluster.set(key, '3'); // a watched key changes: the session's EXEC is refused
      await expect(more.multi().set(key, '4').exec()).rejects.toMatchObject({ code: 'ERR_REDIS_WATCH' });
      await cluster.set(key, '2');

      const released = await cluster.watch(key);
      await released.release();
      await expect(released.sendCommand(['GET', key])).rejects.toBeInstanceOf(AlreadyExecutedError);
      expect(await cluster.get(key)).toBe('2');
    });
  });

  it('runScript with an unknown name, scanIterator with bad options and getKeysInSlot with a bad count reject with ArgumentError (no value quoted)', async () => {
    const unknown = await cluster.runScript(SECRET).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ArgumentError);
    expect(inspect(unknown)).not.toContain(SECRET);
    for (const options of [null, 5, { COUNT: 0 }, { COUNT: NaN }, { MATCH: 1 }, { TYPE: {} }]) {
      const iterator = cluster.scanIterator(options as never);
      await expect(iterator.next()).rejects.toBeInstanceOf(ArgumentError);
    }
    for (const count of [NaN, -1, 1.5, '10', undefined]) {
      const bad = await cluster.getKeysInSlot(0, count as never).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(ArgumentError);
      expect((bad as ArgumentError).position).toBe(1);
    }
    expect(await cluster.getKeysInSlot(0, 1)).toEqual(expect.any(Array));
    expect(crashes).toEqual([]);
  });

  it('nodeClient commands, scanIterator pages and waitReplicas are traced like every other command', async () => {
    const recorder = recordCommands();
    try {
      const key = `${TAG}:traced`;
      await cluster.set(key, 'v');
      const node = cluster.getNodeByKey(key)!;
      expect(await cluster.nodeClient(node.address).get(key)).toBe('v');
      expect(await cluster.nodeClient(node.address).sendCommand(['DBSIZE'])).toEqual(expect.any(Number));
      expect(typeof (await cluster.waitReplicas(key, 0, 10))).toBe('number');
      for await (const page of cluster.scanIterator({ MATCH: `${TAG}:traced`, COUNT: 1000 })) void page;
      const ended = (name: string) => recorder.events.filter((e) => e.event === 'asyncEnd' && e.context.command === name);
      expect(ended('GET')[0]!.context).toMatchObject({ serverAddress: node.host, serverPort: node.port });
      expect(ended('DBSIZE')).toHaveLength(1);
      expect(ended('WAIT')).toHaveLength(1);
      expect(ended('SCAN').length).toBeGreaterThanOrEqual(cluster.getPrimaries().length);
    } finally {
      recorder.stop();
    }
    expect(dc.tracingChannel(CHANNELS.COMMAND).hasSubscribers).toBe(false);
  });
});
