// Credentials rotation across a failover and a reshard on the chaos cluster: a streaming provider pushes a new
// password during a manual failover, then another user during a slot migration, while four workers run the
// counter oracle on every shard and a classic subscription receives messages. Asserts: no command failed because
// of credentials (no AuthError / ReAuthenticationError / NOAUTH / WRONGPASS / NOPERM; the failover's own in-flight
// outcomes are reported), ACL LOG on every node records no refused authentication for the two users, no connection
// is left on the old user (CLIENT LIST on every live node), and the subscription keeps delivering.
import { describeWithServers, failover, mastersAndReplicas, migrateSlot, nodeCommand, testServers } from '../support/servers.js';
import { useFreshChaosCluster } from '../support/chaos-cluster.js';
import { mainCluster, useTestClient } from '../support/cluster-client.js';
import { report, slotIn, tagForSlot, tagsPerShard, until, Workload } from '../support/workload.js';
import { aclRule, connectionsOf, deleteUsers, percentile, setUser, TestStreamingProvider, total } from './credentials-helpers.js';

const chaos = () => testServers().clusters.chaos;
const SUFFIX = `${process.pid}`;
const USER_A = `chaos-a-${SUFFIX}`;
const USER_B = `chaos-b-${SUFFIX}`;
const PASS_A1 = `ca1-${SUFFIX}-secret`;
const PASS_A2 = `ca2-${SUFFIX}-secret`;
const PASS_B = `cb-${SUFFIX}-secret`;

/** Entries of ACL LOG on `port` as objects. */
async function aclLog(port: number): Promise<Array<Record<string, unknown>>> {
  const entries = (await nodeCommand(port, 'ACL', 'LOG')) as unknown[][];
  return entries.map((flat) => {
    const entry: Record<string, unknown> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) entry[String(flat[i])] = flat[i + 1];
    return entry;
  });
}

describeWithServers('credentials rotation across failover and reshard (chaos cluster)', () => {
  useFreshChaosCluster();
  const testClient = useTestClient();

  afterEach(() => deleteUsers(chaos().ports, USER_A, USER_B));

  it('rotates during a manual failover and a slot migration under load', async () => {
    const ports = chaos().ports;
    await setUser(ports, USER_A, PASS_A1);
    await setUser(ports, USER_B, PASS_B);
    for (const port of ports) await nodeCommand(port, 'ACL', 'LOG', 'RESET');
    const topo = await mastersAndReplicas(chaos());

    const provider = new TestStreamingProvider({ username: USER_A, password: PASS_A1 });
    const c = testClient(mainCluster({ rootNodes: [{ socket: { host: '127.0.0.1', port: ports[0]! } }], defaults: { credentialsProvider: provider, commandTimeout: 2000 } }, 'chaos'));
    const durations: number[] = [];
    c.on('node-reauthenticated', (_a, info) => durations.push(info.durationMs));
    const reauthErrors: Error[] = [];
    c.on('reauthentication-error', (e) => reauthErrors.push(e));
    await c.connect();

    const channel = `chaos-rot-${SUFFIX}`;
    const received: string[] = [];
    await c.subscribe(channel, (m) => received.push(m));
    const delivered = async (message: string) => {
      await c.publish(channel, message);
      await until(() => received.includes(message), `"${message}" delivered`, 15_000);
    };

    const tags = [...tagsPerShard(topo, 2, 'cr').values()].flat();
    const workload = new Workload({ cluster: c, prefix: `cr${SUFFIX}`, tags, workers: 4, timeoutMs: 2000 }).start();
    await workload.waitForOps(300);

    // 1. A new password, pushed while shard 1 fails over to its replica.
    const shard = topo.shards[1]!;
    await aclRule(ports, USER_A, `>${PASS_A2}`);
    const failingOver = failover(shard.replicas[0]!.port);
    provider.push({ username: USER_A, password: PASS_A2 });
    await failingOver;
    await workload.waitForOps(300);
    await delivered('after-failover');
    await aclRule(ports, USER_A, `<${PASS_A1}`);
    await workload.waitForOps(300);

    // 2. Another user, pushed in the middle of a slot migration (keys moving, ASK redirects).
    const from = topo.masters.find((m) => m !== shard.master.port)!;
    const after = await mastersAndReplicas(chaos());
    const to = after.masters.find((m) => m !== from)!;
    const slot = slotIn(after.shards.find((s) => s.master.port === from)!.slots, 5);
    const hot = tagForSlot(slot);
    const hotWorkload = new Workload({ cluster: c, prefix: `crh${SUFFIX}`, tags: [hot], workers: 2, timeoutMs: 2000 }).start();
    await hotWorkload.waitForOps(100);
    let pushed = false;
    await migrateSlot(chaos(), slot, from, to, {
      onStep: async (step) => {
        if (!pushed && step === 'batch') {
          pushed = true;
          provider.push({ username: USER_B, password: PASS_B });
        }
      },
    });
    expect(pushed).toBe(true);
    await until(async () => total(await connectionsOf(ports, USER_A)) === 0, 'no connection left on the old user', 15_000);
    await aclRule(ports, USER_A, 'off');
    await workload.waitForOps(300);
    await hotWorkload.waitForOps(100);
    await delivered('after-reshard');

    await Promise.all([workload.stop(), hotWorkload.stop()]);
    const summary = workload.summary();
    const hotSummary = hotWorkload.summary();
    const failures = [...workload.failures(), ...hotWorkload.failures()];
    const credentialFailures = failures.filter((r) => /Auth|NOAUTH|WRONGPASS|NOPERM|Credentials/i.test(r.error ?? ''));
    expect(credentialFailures).toEqual([]);
    expect(summary.violations).toEqual([]);
    expect(hotSummary.violations).toEqual([]);
    expect(reauthErrors).toEqual([]);
    expect(provider.reauthErrors).toEqual([]);
    const refused = (await Promise.all(ports.map(aclLog))).flat().filter((e) => e['username'] === USER_A || e['username'] === USER_B);
    expect(refused).toEqual([]);
    expect(total(await connectionsOf(ports, USER_A))).toBe(0);
    expect(total(await connectionsOf(ports, USER_B))).toBeGreaterThanOrEqual(4); // 3 masters + subscriber
    report('credentials rotation across failover + reshard', {
      ops: summary.ops + hotSummary.ops,
      failures: failures.length,
      failuresByName: { ...summary.errorsByName, ...hotSummary.errorsByName },
      credentialFailures: credentialFailures.length,
      reauthenticated: durations.length,
      reauthMs: { p50: +percentile(durations, 50).toFixed(2), p99: +percentile(durations, 99).toFixed(2), max: +percentile(durations, 100).toFixed(2) },
    });
    await aclRule(ports, USER_A, 'on');
  }, 150_000);
});
