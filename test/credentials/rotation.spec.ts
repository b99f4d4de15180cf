import { inspect } from 'node:util';
import { describeWithServers, testServers } from '../support/servers.js';
import { Workload, report, until } from '../support/workload.js';
import { ReAuthenticationError, type RedisCluster } from '../../lib/index.js';
import { aclRule, connectionsOf, percentile, TestStreamingProvider, total, useMainClusterUsers } from './credentials-helpers.js';

const SUFFIX = `${process.pid}`;
const USER_A = `rot-a-${SUFFIX}`;
const USER_B = `rot-b-${SUFFIX}`;
const PASS_A1 = `pa1-${SUFFIX}-secret`;
const PASS_A2 = `pa2-${SUFFIX}-secret`;
const PASS_B = `pb-${SUFFIX}-secret`;

describeWithServers('streaming credentials provider on the main cluster', () => {
  const ports = () => testServers().clusters.main.ports;
  const openCluster = useMainClusterUsers({ [USER_A]: PASS_A1, [USER_B]: PASS_B });

  it('rotates the password, then the user, under load: 0 failed commands, no connection left on the old identity, pub/sub keeps delivering', async () => {
    const provider = new TestStreamingProvider({ username: USER_A, password: PASS_A1 });
    const cluster = openCluster({ credentialsProvider: provider });
    const durations: number[] = [];
    cluster.on('node-reauthenticated', (_address, info) => durations.push(info.durationMs));
    const reauthErrors: Error[] = [];
    cluster.on('reauthentication-error', (e) => reauthErrors.push(e));
    await cluster.connect();
    expect(provider.subscribeCalls).toBe(1);

    // A subscription (RESP3 subscriber connection) that must keep delivering across the switch.
    const received: string[] = [];
    const channel = `rot-ch-${SUFFIX}`;
    await cluster.subscribe(channel, (message) => received.push(message));

    const workload = new Workload({ cluster, prefix: `rot${SUFFIX}`, tags: ['a', 'b', 'c', 'd', 'e', 'f'], workers: 6 }).start();
    await workload.waitForOps(500);
    // Pooled (dedicated) connections follow the rotation too.
    const blocking = cluster.sendCommand(['BLPOP', `rot-list-${SUFFIX}`, '0']);

    // 1. Same user, new password: add it, push it, remove the old one.
    await aclRule(ports(), USER_A, `>${PASS_A2}`);
    const before1 = durations.length;
    provider.push({ username: USER_A, password: PASS_A2 });
    // The pooled connection's AUTH is queued behind its BLPOP (ordered): release it.
    await cluster.sendCommand(['LPUSH', `rot-list-${SUFFIX}`, 'x']);
    await expect(blocking).resolves.toEqual([`rot-list-${SUFFIX}`, 'x']);
    await until(() => durations.length - before1 >= 1 && durations.length - before1 >= attached(cluster), 'every connection re-authenticated (password)');
    await aclRule(ports(), USER_A, `<${PASS_A1}`);
    await workload.waitForOps(500);

    // 2. Another user: after the switch, no connection of the client is left on USER_A.
    const before2 = durations.length;
    provider.push({ username: USER_B, password: PASS_B });
    const onA = await until(async () => {
      const counts = await connectionsOf(ports(), USER_A);
      return total(counts) === 0 ? counts : undefined;
    }, 'no connection left on the old user');
    expect(total(onA)).toBe(0);
    const onB = total(await connectionsOf(ports(), USER_B));
    expect(onB).toBeGreaterThanOrEqual(3); // main connections + subscriber + pooled connection
    await aclRule(ports(), USER_A, 'off');
    await workload.waitForOps(500);

    await cluster.publish(channel, 'after-rotation');
    await until(() => received.includes('after-rotation'), 'message delivered after the rotation');

    await workload.stop();
    const summary = workload.summary();
    expect(summary.errors).toBe(0);
    expect(summary.violations).toEqual([]);
    expect(reauthErrors).toEqual([]);
    expect(provider.reauthErrors).toEqual([]);
    const rotated = durations.length - before2;
    report('credentials rotation (main cluster)', {
      ops: summary.ops,
      failures: summary.errors,
      reauthenticatedConnections: { password: before2 - before1, user: rotated },
      reauthMs: { p50: +percentile(durations, 50).toFixed(2), p99: +percentile(durations, 99).toFixed(2), max: +percentile(durations, 100).toFixed(2) },
      connectionsOnNewUser: onB,
    });

    // Secrets never show in util.inspect of the client, even at full depth.
    const dump = inspect(cluster, { depth: Infinity, showHidden: true });
    for (const secret of [PASS_A1, PASS_A2, PASS_B]) expect(dump).not.toContain(secret);
    await aclRule(ports(), USER_A, 'on');
    const sources = cluster.options.credentialSources;
    await cluster.close();
    expect(provider.disposed).toBe(1);
    // No connection is left following the provider, and a later push reaches nothing.
    expect(sources.every((s) => s.attachedCount === 0 && s.disposed)).toBe(true);
    const events: unknown[] = [];
    cluster.on('node-reauthenticated', (...args) => events.push(args));
    provider.push({ username: USER_A, password: PASS_A2 });
    expect(events).toEqual([]);
  }, 90_000);

  it('a refused re-authentication is reported by event and hook, names no secret, and keeps the connection on its identity', async () => {
    const provider = new TestStreamingProvider({ username: USER_B, password: PASS_B });
    const cluster = openCluster({ credentialsProvider: provider });
    const errors: ReAuthenticationError[] = [];
    cluster.on('reauthentication-error', (e) => errors.push(e));
    await cluster.connect();
    await cluster.sendCommand(['SET', `rot-k-${SUFFIX}`, '1']);
    const wrong = `wrong-${SUFFIX}-secret`;
    provider.push({ username: USER_B, password: wrong });
    await until(() => errors.length >= attached(cluster) && errors.length > 0, 'every connection reported the refused AUTH');
    for (const error of errors) {
      expect(error).toBeInstanceOf(ReAuthenticationError);
      expect(error.code).toBe('ERR_REDIS_REAUTH');
      expect(error.message).toMatch(/WRONGPASS/);
      expect(inspect(error, { depth: Infinity })).not.toContain(wrong);
      expect(inspect(error, { depth: Infinity })).not.toContain(PASS_B);
    }
    expect(provider.reauthErrors.length).toBe(errors.length);
    // The connections stayed up on USER_B.
    await expect(cluster.sendCommand(['GET', `rot-k-${SUFFIX}`])).resolves.toBe('1');
    expect(total(await connectionsOf(ports(), USER_B))).toBeGreaterThanOrEqual(3);
  }, 30_000);
});

function attached(cluster: RedisCluster): number {
  return cluster.options.credentialSources.reduce((n, s) => n + s.attachedCount, 0);
}
