// Hostile arguments at every public entry point of the cluster, against the real main cluster:
// every typed command (the whole command table), sendCommand, pipeline(), multi(), watch(), runScript,
// keySlot/getNodeByKey. The process survives (no uncaughtException / unhandledRejection), no entry point
// throws synchronously, every call settles, bad calls reject with ArgumentError (never quoting the value),
// and the next valid command on the same client gets its own correct reply.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { ArgumentError, RedisClusterError, defineScript, type RedisCluster } from '../../lib/index.js';
import { COMMANDS } from '../../lib/engine/commands/commands.js';
import { mainCluster } from '../support/cluster-client.js';
import { describeWithServers } from '../support/servers.js';
import { useCrashRecorder } from '../support/crash-recorder.js';

const SECRET = 'S3CRET-ARG';
const TAG = `{hostile${process.pid}}`;

/** Commands that could block for ever or wipe shared data if random arguments happened to be valid. */
const UNSAFE_WITH_VALID_ARGS = new Set([
  'blPop', 'brPop', 'blMove', 'blmPop', 'brPopLPush', 'bzPopMin', 'bzPopMax', 'bzmPop', 'xRead', 'xReadGroup',
  'flushAll', 'flushDb', 'scriptFlush', 'functionFlush', 'functionDelete', 'functionRestore', 'configSet',
]);

/** A value whose every read throws. */
const trap = (): never => {
  throw new Error('trap');
};
// (no `has` trap: fast-check itself probes values with `in`)
const throwingProxy = new Proxy({}, { get: trap, ownKeys: trap, getPrototypeOf: trap });
const throwingArray = new Proxy(['GET', 'k'], { get: trap });

const hostile = fc.oneof(
  { weight: 3, arbitrary: fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withBoxedValues: true }) },
  { weight: 3, arbitrary: fc.constantFrom<unknown>(undefined, null, NaN, Infinity, -Infinity, Symbol('s'), 10n, {}, [], () => 1, new Date(NaN), { EX: NaN }, { toString: () => SECRET }, [undefined], { f: undefined }) },
  { weight: 2, arbitrary: fc.string().map((s) => `${TAG}${s}`) },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(throwingProxy, throwingArray, [throwingProxy]) },
);
/** Values that can never be a valid first argument. */
const invalid = fc.constantFrom<unknown>(null, NaN, Infinity, Symbol('s'), 10n, { toString: () => SECRET }, () => 1);

type Method = (...args: unknown[]) => unknown;

describeWithServers('hostile arguments never crash the process (main cluster)', () => {
  let cluster: RedisCluster;
  const { crashes } = useCrashRecorder();
  let check = 0;

  beforeAll(async () => {
    cluster = mainCluster({ defaults: { commandTimeout: 2000 } });
    await cluster.connect();
  });

  afterAll(async () => {
    await cluster.close();
  });

  /** Calls an entry point: it must return a promise (never throw), which must settle. */
  async function settle(call: () => unknown): Promise<PromiseSettledResult<unknown>> {
    let returned: unknown;
    expect(() => (returned = call())).not.toThrow();
    expect(returned).toBeInstanceOf(Promise);
    const [outcome] = await Promise.allSettled([returned]);
    if (outcome!.status === 'rejected') {
      // Typed, and never carrying an argument value.
      expect(outcome!.reason).toBeInstanceOf(RedisClusterError);
      expect(inspect(outcome!.reason, { depth: 4 })).not.toContain(SECRET);
    }
    return outcome!;
  }

  /** The client still answers a valid command with its own reply. */
  async function stillWorks(): Promise<void> {
    const key = `${TAG}:check:${check++}`;
    expect(await cluster.set(key, `v${check}`)).toBe('OK');
    expect(await cluster.get(key)).toBe(`v${check}`);
  }

  it('every typed command, with any arguments', async () => {
    const names = Object.keys(COMMANDS) as Array<keyof typeof COMMANDS>;
    expect(names.length).toBeGreaterThanOrEqual(202);
    const target = cluster as unknown as Record<string, Method>;
    for (const name of names) {
      const unsafe = UNSAFE_WITH_VALID_ARGS.has(name);
      const argsArb = unsafe ? fc.tuple(invalid, fc.array(hostile, { maxLength: 3 })).map(([a, rest]) => [a, ...rest]) : fc.array(hostile, { maxLength: 4 });
      await fc.assert(
        fc.asyncProperty(argsArb, async (args) => {
          const outcome = await settle(() => target[name]!.call(cluster, ...args));
          if (unsafe) {
            expect(outcome.status).toBe('rejected');
            expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(ArgumentError);
          }
        }),
        { numRuns: 6 },
      );
    }
    await stillWorks();
    expect(crashes).toEqual([]);
  }, 120_000);

  it('the crash triggers of the review reject with ArgumentError naming the argument', async () => {
    const cases: Array<[() => Promise<unknown>, string, number | string]> = [
      [() => cluster.set(`${TAG}k`, undefined as never), 'SET', 1],
      [() => cluster.set(`${TAG}k`, null as never), 'SET', 1],
      [() => cluster.set(`${TAG}k`, {} as never), 'SET', 1],
      [() => cluster.set(`${TAG}k`, Symbol('x') as never), 'SET', 1],
      [() => cluster.set(`${TAG}k`, NaN), 'SET', 1],
      [() => cluster.set(`${TAG}k`, Infinity), 'SET', 1],
      [() => cluster.get({} as never), 'GET', 0],
      [() => cluster.get(undefined as never), 'GET', 0],
      [() => cluster.set(undefined as never, 'v'), 'SET', 0],
      [() => cluster.set(`${TAG}k`, 'v', { EX: NaN }), 'SET', 'options.EX'],
      [() => cluster.expire(`${TAG}k`, NaN), 'EXPIRE', 1],
      [() => cluster.hSet(`${TAG}h`, { f: undefined as never }), 'HSET', 1],
      [() => cluster.set(`${TAG}k`, JSON.stringify(undefined) as never), 'SET', 1],
      [() => cluster.mGet(undefined as never), 'MGET', 0],
      [() => cluster.mSet([`${TAG}a`, '1', `${TAG}b`]), 'MSET', 0],
      [() => cluster.sendCommand([]), 'sendCommand', 0],
      [() => cluster.sendCommand(undefined as never), 'sendCommand', 0],
      [() => cluster.sendCommand(['SET', `${TAG}k`, undefined as never]), 'SET', 2],
      [() => cluster.watch(), 'WATCH', 0],
      [() => cluster.watch(`${TAG}a`, undefined as never), 'WATCH', 1],
      [() => cluster.runScript(defineScript('return 1'), { keys: [NaN] }), 'runScript', 'call.keys[0]'],
      [() => cluster.runScript(defineScript('return 1'), { keys: 'k' as never }), 'runScript', 'call.keys'],
      [() => cluster.countKeysInSlot(NaN), 'CLUSTER COUNTKEYSINSLOT', 0],
      [() => cluster.sendCommand(['GET', `${TAG}k`], { timeout: NaN }), 'sendCommand', 'options.timeout'],
      [() => cluster.sendCommand(['GET', `${TAG}k`], 'fast' as never), 'sendCommand', 1],
      [() => cluster.nodeClient(cluster.getPrimaries()[0]!).sendCommand(['GET', `${TAG}k`], { timeout: -1 }), 'sendCommand', 'options.timeout'],
      [() => cluster.nodeClient(cluster.getPrimaries()[0]!).get(Symbol('x') as never), 'GET', 0],
      [() => cluster.waitReplicas(`${TAG}k`, NaN, 10), 'WAIT', 1],
    ];
    for (const [call, command, position] of cases) {
      const outcome = await settle(call);
      expect(outcome.status).toBe('rejected');
      const error = (outcome as PromiseRejectedResult).reason as ArgumentError;
      expect(error).toBeInstanceOf(ArgumentError);
      expect([error.command, error.position]).toEqual([command, position]);
    }
    // Sync helpers throw ArgumentError (they return no promise).
    expect(() => cluster.keySlot(undefined as never)).toThrow(ArgumentError);
    expect(() => cluster.getNodeByKey({} as never)).toThrow(ArgumentError);
    expect(() => cluster.nodeClient(undefined as never)).toThrow(ArgumentError);
    await stillWorks();
    expect(crashes).toEqual([]);
  });

  it('sendCommand with any argument list', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostile, fc.array(hostile, { maxLength: 4 }), fc.tuple(invalid, fc.array(hostile, { maxLength: 3 })).map(([a, r]) => ['GET', a, ...r])), async (args) => {
        await settle(() => cluster.sendCommand(args as never));
      }),
      { numRuns: 300 },
    );
    await stillWorks();
    expect(crashes).toEqual([]);
  });

  it('the argument list is copied when the command is issued: changing it afterwards changes nothing', async () => {
    const key = `${TAG}:copied`;
    const args: unknown[] = ['SET', key, 'v1'];
    const sent = cluster.sendCommand(args as never);
    args[2] = undefined;
    args.length = 0;
    expect(await sent).toBe('OK');
    expect(await cluster.get(key)).toBe('v1');
    const outcome = await settle(() => cluster.sendCommand(throwingArray as never));
    expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(ArgumentError);
    expect(crashes).toEqual([]);
  });

  it('pipeline: a bad command gets its own rejected outcome, the others run; a second exec rejects', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { minLength: 1, maxLength: 3 }), async (args) => {
        const key = `${TAG}:pipe`;
        const pipeline = cluster.pipeline();
        let chained: unknown;
        expect(() => (chained = (pipeline as unknown as Record<string, Method>)['set']!.call(pipeline, ...args))).not.toThrow();
        expect(chained).toBe(pipeline);
        pipeline.set(key, 'ok').get(key).addCommand([Symbol('x') as never]);
        const outcomes = await pipeline.exec();
        expect(outcomes).toHaveLength(4);
        expect(outcomes.slice(1, 3)).toEqual([{ status: 'fulfilled', value: 'OK' }, { status: 'fulfilled', value: 'ok' }]);
        expect(outcomes[3]).toMatchObject({ status: 'rejected', reason: expect.any(ArgumentError) });
        if (outcomes[0]!.status === 'rejected') expect(outcomes[0]!.reason).toBeInstanceOf(RedisClusterError);
        await expect(pipeline.exec()).rejects.toMatchObject({ code: 'ERR_REDIS_ALREADY_EXECUTED' });
      }),
      { numRuns: 100 },
    );
    await stillWorks();
    expect(crashes).toEqual([]);
  });

  it('multi: a bad command rejects the whole block before anything is sent', async () => {
    await fc.assert(
      fc.asyncProperty(invalid, fc.nat(), async (bad, n) => {
        const marker = `${TAG}:multi:${n}`;
        await cluster.del(marker);
        const tx = cluster.multi().set(marker, 'written').set(`${TAG}:other`, bad as never).incr(marker);
        const outcome = await settle(() => tx.exec());
        expect(outcome.status).toBe('rejected');
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(ArgumentError);
        expect(await cluster.get(marker)).toBeNull();
        await expect(tx.exec()).rejects.toMatchObject({ code: 'ERR_REDIS_ALREADY_EXECUTED' });
      }),
      { numRuns: 30 },
    );
    await stillWorks();
    expect(crashes).toEqual([]);
  });

  it('pub/sub entry points refuse bad channels, listeners and modes without a throw, and subscriptions keep working', async () => {
    const api = cluster as unknown as Record<string, Method>;
    const names = ['subscribe', 'pSubscribe', 'sSubscribe', 'unsubscribe', 'pUnsubscribe', 'sUnsubscribe'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), fc.array(hostile, { maxLength: 3 }), async (name, args) => {
        const outcome = await settle(() => api[name]!.apply(cluster, args));
        if (outcome.status === 'fulfilled') {
          // Valid by chance (a string channel and a function): undo it so nothing is left subscribed.
          await cluster.unsubscribe();
          await cluster.pUnsubscribe();
          await cluster.sUnsubscribe();
        }
      }),
      { numRuns: 150 },
    );
    for (const [name, args] of [
      ['subscribe', [undefined, () => 1]],
      ['subscribe', ['ch', 'not a function']],
      ['sSubscribe', [{}, () => 1]],
      ['pSubscribe', [['p*', 7], () => 1]],
      ['subscribe', ['ch', () => 1, 'yes']],
      ['unsubscribe', [Symbol('s')]],
    ] as Array<[string, unknown[]]>) {
      const outcome = await settle(() => api[name]!.apply(cluster, args));
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(ArgumentError);
    }
    const channel = `${TAG}:pubsub`;
    let received!: (message: string) => void;
    const got = new Promise<string>((resolve) => (received = resolve));
    await cluster.subscribe(channel, (message: string) => received(message));
    await cluster.publish(channel, 'still-works');
    expect(await got).toBe('still-works');
    await cluster.unsubscribe(channel);
    await stillWorks();
    expect(crashes).toEqual([]);
  });

  it('watch sessions refuse bad arguments without losing the session', async () => {
    const key = `${TAG}:watched`;
    const session = await cluster.watch(key);
    await expect(session.get(undefined as never)).rejects.toBeInstanceOf(ArgumentError);
    await expect(session.sendCommand([NaN as never])).rejects.toBeInstanceOf(ArgumentError);
    expect(await session.get(key)).toBeNull();
    expect(await session.multi().set(key, 'w').exec()).toEqual(['OK']);
    await expect(session.get(key)).rejects.toThrow(/ended/);
    expect(await cluster.get(key)).toBe('w');
    expect(crashes).toEqual([]);
  });
});

describe('ArgumentError text', () => {
  it('never quotes the value', () => {
    const error = new ArgumentError('SET', 1, 'a string', 'object', 'value');
    expect(error.message).toBe('SET: argument 1 (value) must be a string (got object)');
  });
});
