import { describeWithServers, testServers } from '../support/servers.js';
import { until } from '../support/workload.js';
import { NodeConnection } from '../../lib/engine/connection/node-connection.js';
import { connectionsOf, TestStreamingProvider, total, useMainClusterUsers } from './credentials-helpers.js';

const SUFFIX = `${process.pid}`;
const USER_A = `ord-a-${SUFFIX}`;
const USER_B = `ord-b-${SUFFIX}`;
const PASS_A = `oa-${SUFFIX}-secret`;
const PASS_B = `ob-${SUFFIX}-secret`;

describeWithServers('re-authentication order and subscribers', () => {
  const ports = () => testServers().clusters.main.ports;
  const openCluster = useMainClusterUsers({ [USER_A]: PASS_A, [USER_B]: PASS_B });

  for (const RESP of [2, 3] as const) {
    it(`RESP${RESP}: commands issued before the push run as the old user, every one issued after as the new one`, async () => {
      const provider = new TestStreamingProvider({ username: USER_A, password: PASS_A });
      const connection = new NodeConnection({ socket: { host: '127.0.0.1', port: ports()[0]! }, credentialsProvider: provider, RESP });
      try {
        await connection.connect();
        for (let round = 0; round < 3; round++) {
          const [from, to] = round % 2 === 0 ? [USER_A, USER_B] : [USER_B, USER_A];
          const before = Array.from({ length: 50 }, () => connection.sendCommand(['ACL', 'WHOAMI']));
          provider.push(to === USER_B ? { username: USER_B, password: PASS_B } : { username: USER_A, password: PASS_A });
          const after = Array.from({ length: 50 }, () => connection.sendCommand(['ACL', 'WHOAMI']));
          expect(await Promise.all(before)).toEqual(Array(50).fill(from));
          expect(await Promise.all(after)).toEqual(Array(50).fill(to));
        }
      } finally {
        await connection.close();
      }
    });

    it(`RESP${RESP}: a subscriber connection switches user and keeps delivering`, async () => {
      const provider = new TestStreamingProvider({ username: USER_A, password: PASS_A });
      const reauthErrors: Error[] = [];
      const cluster = openCluster({ credentialsProvider: provider, RESP });
      cluster.on('reauthentication-error', (e) => reauthErrors.push(e));
      await cluster.connect();
      const channel = `ord-ch-${RESP}-${SUFFIX}`;
      const received: string[] = [];
      await cluster.subscribe(channel, (m) => received.push(m));
      await cluster.publish(channel, 'one');
      await until(() => received.includes('one'), 'first message');
      provider.push({ username: USER_B, password: PASS_B });
      await until(async () => total(await connectionsOf(ports(), USER_A)) === 0, 'no connection left on the old user');
      // Messages published after the switch arrive (on RESP2 the subscriber was reopened and resubscribed).
      await until(async () => {
        await cluster.publish(channel, 'two');
        return received.includes('two');
      }, 'message after the switch');
      expect(reauthErrors).toEqual([]);
      expect(total(await connectionsOf(ports(), USER_B))).toBeGreaterThanOrEqual(4);
    });
  }
});
