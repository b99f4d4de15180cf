// The subscribe state machine on the real cluster (finding 18), for classic channels, patterns and sharded
// channels. A SUBSCRIBE that the server refuses comes from an ACL user allowed only `allowed:*` channels
// (NOPERM), created on every node of the main cluster for this file and deleted afterwards. A PSUBSCRIBE pattern
// must equal an allowed entry literally, so the allowed patterns used here are listed one by one.
import { jest } from '@jest/globals';
import { createCluster, type RedisCluster } from '../../lib/index.js';
import { describeWithServers, redisCli, testServers } from '../support/servers.js';
import { until } from '../support/workload.js';

const run = Math.random().toString(36).slice(2, 8);
const user = `nrc-pubsub-${run}`;
const password = `pw-${run}`;
const ports = () => testServers().clusters.main.ports;
const allowed = (name: string) => `allowed:${run}:${name}`;
const denied = (name: string) => `denied:${run}:${name}`;

type Kind = 'channel' | 'pattern' | 'sharded';

function client(): RedisCluster {
  const c = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${ports()[0]}` }], defaults: { username: user, password } });
  c.on('node-error', () => undefined);
  return c;
}

/** Subscribes with the call of `kind`; the pattern kind subscribes the name itself as a pattern. */
function subscribeCall(c: RedisCluster, kind: Kind): (names: string[], listener: (message: string, channel: string) => void) => Promise<void> {
  if (kind === 'channel') return (names, listener) => c.subscribe(names, listener);
  if (kind === 'pattern') return (names, listener) => c.pSubscribe(names, listener);
  return (names, listener) => c.sSubscribe(names, listener);
}

function publishCall(c: RedisCluster, kind: Kind): (channel: string, message: string) => Promise<number> {
  return kind === 'sharded' ? (channel, message) => c.sPublish(channel, message) : (channel, message) => c.publish(channel, message);
}

function subscribed(c: RedisCluster, kind: Kind): string[] {
  const s = c.subscriptions();
  return kind === 'channel' ? s.channels : kind === 'pattern' ? s.patterns : Object.keys(s.shardChannels);
}

describeWithServers('pub/sub subscribe state machine on a real cluster (ACL-refused SUBSCRIBEs)', () => {
  beforeAll(async () => {
    for (const port of ports()) {
      await redisCli(port, 'ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '+@all', 'resetchannels', `&allowed:${run}:*`, `&${allowed('ok')}`, `&${allowed('keep')}`);
    }
  });

  afterAll(async () => {
    for (const port of ports()) await redisCli(port, 'ACL', 'DELUSER', user).catch(() => undefined);
  });

  it('sharded: a channel that cannot be placed again is retried on a timer until placed, listed as unplaced meanwhile, with events and no error', async () => {
    // Revoking the channel makes the server drop the subscriber connection (Redis kills clients subscribed to channels
    // they lost); every SSUBSCRIBE then gets NOPERM until the channel is granted again.
    const channel = `revocable:${run}:{r}`;
    const grant = (on: boolean) =>
      Promise.all(ports().map((port) => redisCli(port, 'ACL', 'SETUSER', user, 'resetchannels', `&allowed:${run}:*`, `&${allowed('ok')}`, `&${allowed('keep')}`, ...(on ? [`&${channel}`] : []))));
    await grant(true);
    const c = client();
    const errors: Error[] = [];
    const unplaced: Array<{ channels: readonly string[]; attempt: number; retryInMs: number }> = [];
    const moved: string[] = [];
    c.on('error', (e) => errors.push(e));
    c.on('sharded-channels-unplaced', (channels, info) => unplaced.push({ channels, attempt: info.attempt, retryInMs: info.retryInMs }));
    c.on('sharded-channel-moved', (ch) => moved.push(ch));
    try {
      await c.connect();
      const got: string[] = [];
      await c.sSubscribe(channel, (message) => got.push(message));
      await grant(false);
      await until(() => unplaced.length >= 2, 'two failed placement rounds', 20_000);
      expect(c.subscriptions().unplacedShardChannels).toEqual([channel]);
      expect(c.subscriptions().shardChannels[channel]).toBeUndefined();
      expect(unplaced[0]!.channels).toEqual([channel]);
      expect(unplaced.map((u) => u.attempt).slice(0, 2)).toEqual([1, 2]);
      expect(unplaced[1]!.retryInMs).toBeGreaterThan(unplaced[0]!.retryInMs); // back-off
      await grant(true);
      await until(() => c.subscriptions().unplacedShardChannels.length === 0 && c.subscriptions().shardChannels[channel] !== undefined, 'the channel to be placed again', 20_000);
      expect(moved).toContain(channel);
      await c.sPublish(channel, 'after');
      await until(() => got.includes('after'), 'a message after the channel was placed again');
      expect(errors.filter((e) => /SSUBSCRIBE|NOPERM|No master/.test(e.message))).toEqual([]);
    } finally {
      await c.close();
    }
  }, 60_000);

  it('sharded: close() while unplaced channels wait for their next round leaves none of the timers created meanwhile', async () => {
    const channel = `revocable2:${run}:{q}`;
    const grant = (on: boolean) =>
      Promise.all(ports().map((port) => redisCli(port, 'ACL', 'SETUSER', user, 'resetchannels', `&allowed:${run}:*`, `&${allowed('ok')}`, `&${allowed('keep')}`, ...(on ? [`&${channel}`] : []))));
    await grant(true);
    const c = client();
    let rounds = 0;
    c.on('error', () => undefined);
    c.on('sharded-channels-unplaced', () => rounds++);
    await c.connect();
    await c.sSubscribe(channel, () => undefined);
    await grant(false);
    await until(() => rounds >= 1, 'a failed placement round', 20_000);
    // Track the timers created from now on (the next rounds' timer and back-off sleeps): each must have fired or
    // been cleared once close() resolved.
    const pending = new Set<unknown>();
    const realSet = globalThis.setTimeout;
    const realClear = globalThis.clearTimeout;
    const setSpy = jest.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const handle: unknown = realSet(() => {
        pending.delete(handle);
        fn(...args);
      }, ms);
      pending.add(handle);
      return handle;
    }) as typeof setTimeout);
    const clearSpy = jest.spyOn(globalThis, 'clearTimeout').mockImplementation(((handle?: Parameters<typeof clearTimeout>[0]) => {
      pending.delete(handle);
      realClear(handle);
    }) as typeof clearTimeout);
    try {
      const seen = rounds;
      await until(() => rounds > seen, 'one more failed round under tracking', 20_000);
      await c.close();
      setSpy.mockRestore();
      clearSpy.mockRestore();
      expect(pending.size).toBe(0);
    } finally {
      setSpy.mockRestore();
      clearSpy.mockRestore();
      await c.close();
      await grant(false);
    }
  }, 60_000);

  for (const kind of ['channel', 'pattern', 'sharded'] as const) {
    // Shard channels of one call must share a slot: a hash tag keeps each group in one. The channel kind
    // gets names of its own (a late PUBLISH of its tests must not reach the pattern kind's literal
    // patterns); the pattern kind keeps the literal names its ACL entries grant.
    const name = (base: string, tag: string) => (kind === 'sharded' ? `${base}{${run}${tag}}` : kind === 'channel' ? `${base}:c` : base);

    it(`${kind}: concurrent subscribes of one name share one outcome; a refused one rejects both and leaves nothing registered`, async () => {
      const c = client();
      try {
        await c.connect();
        const order: string[] = [];
        const target = name(denied('x'), 'x');
        const first = subscribeCall(c, kind)([target], () => undefined).then(
          () => order.push('first resolved'),
          (error: Error) => {
            order.push('first rejected');
            return error;
          },
        );
        const second = subscribeCall(c, kind)([target], () => undefined).then(
          () => order.push('second resolved'),
          (error: Error) => {
            order.push('second rejected');
            return error;
          },
        );
        const [e1, e2] = await Promise.all([first, second]);
        expect(order).toEqual(['first rejected', 'second rejected']);
        expect(e1).toBeInstanceOf(Error);
        expect(e2).toBe(e1);
        expect((e1 as Error).message).toMatch(/NOPERM/);
        expect(subscribed(c, kind)).toEqual([]);

        // Concurrent subscribes of an allowed name: both resolve after the one SUBSCRIBE, and a message arrives once per listener.
        const ok = name(allowed('ok'), 'o');
        const got: string[] = [];
        await Promise.all([subscribeCall(c, kind)([ok], (m) => got.push(`a:${m}`)), subscribeCall(c, kind)([ok], (m) => got.push(`b:${m}`))]);
        await publishCall(c, kind)(ok, 'm1');
        await until(() => got.length >= 2, 'both listeners');
        expect(got.sort()).toEqual(['a:m1', 'b:m1']);
      } finally {
        await c.close();
      }
    });

    it(`${kind}: a refused call undoes only its own listener; the same listener added twice gets each message once`, async () => {
      const c = client();
      try {
        await c.connect();
        const got: string[] = [];
        const listener = (message: string) => got.push(message);
        const ok = name(allowed('keep'), 'k');
        await subscribeCall(c, kind)([ok], listener);
        // Same listener again, with a refused name in the same call (sharded: same slot thanks to the tag).
        const refused = name(denied('keep'), 'k');
        await expect(subscribeCall(c, kind)([ok, refused], listener)).rejects.toThrow(/NOPERM/);
        // And once more on its own: registered once.
        await subscribeCall(c, kind)([ok], listener);
        expect(subscribed(c, kind)).toEqual([ok]);
        const publish = publishCall(c, kind);
        await publish(ok, 'm1');
        await publish(ok, 'm2');
        await publish(ok, 'end');
        // Messages of one channel arrive in order on one connection: at 'end', a duplicate would have come before.
        await until(() => got.includes('end'), 'the end marker');
        expect(got).toEqual(['m1', 'm2', 'end']);
      } finally {
        await c.close();
      }
    });
  }
});
