// A freshly created, empty cluster (17b): Redis 7.0's CLUSTER SHARDS reports replicas whose
// replication offset is 0 as `loading`. The client confirms them with ROLE (master link up) and uses
// them at once: `useReplicas` reads can go to them and health lists all six nodes, not three.
import { describeWithServers, redisCli, testServers } from '../../support/servers.js';
import { useFreshChaosCluster } from '../../support/chaos-cluster.js';
import { mainCluster, useTestClient } from '../../support/cluster-client.js';
import { report } from '../../support/workload.js';

const chaos = () => testServers().clusters.chaos;

describeWithServers('a freshly created cluster', () => {
  useFreshChaosCluster();
  const testClient = useTestClient();

  it('lists and uses every replica right after creation, whatever health CLUSTER SHARDS reports for them', async () => {
    // What the server says at this moment (a figure: 'loading' while offsets are 0).
    const shards = await redisCli(chaos().ports[0]!, 'CLUSTER', 'SHARDS');
    const reportedLoading = (shards.match(/^loading$/gm) ?? []).length;
    const c = testClient(mainCluster({ useReplicas: true }, 'chaos'));
    await c.connect();
    const replicas = c.getReplicas().length;
    const health = await c.healthReport({ timeoutMs: 2000 });
    report('17b fresh cluster', { reportedLoading, replicas, unavailable: c.getUnavailableNodes(), health: health.nodes.map((n) => `${n.address} ${n.role} ${n.status}`) });
    expect(replicas).toBe(3);
    expect(c.getUnavailableNodes()).toEqual([]);
    expect(health.nodes).toHaveLength(6);
    expect(health.nodes.filter((n) => n.role === 'replica' && n.status === 'up')).toHaveLength(3);
    expect(health.status).toBe('up');
  });
});
