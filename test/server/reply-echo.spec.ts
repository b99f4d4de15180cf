// A real server quotes arguments back in some error replies; the ReplyError a caller gets never
// carries them (message, stack, util.inspect), whether sent through a cluster's node client or a
// plain NodeConnection.
import { inspect } from 'node:util';
import { NodeConnection } from '../../lib/engine/connection/node-connection.js';
import { ReplyError } from '../../lib/index.js';
import { describeWithServers, testServers } from '../support/servers.js';
import { withCluster } from '../support/cluster-client.js';

const SECRET = `pw-${process.pid}-s3cr3t`;

function expectNoSecret(error: unknown): void {
  expect(error).toBeInstanceOf(ReplyError);
  expect((error as ReplyError).message).not.toContain(SECRET);
  expect(inspect(error, { showHidden: true, depth: Infinity })).not.toContain(SECRET);
}

describeWithServers('server error replies that echo arguments', () => {
  it('unknown command and a malformed ACL SETUSER rule, through a node client', async () => {
    await withCluster(async (cluster) => {
      const node = cluster.nodeClient(cluster.nodeAddresses()[0]!);
      const unknown = await node.sendCommand(['NOSUCHCMD', SECRET, 'x']).catch((e: unknown) => e);
      expectNoSecret(unknown);
      expect((unknown as ReplyError).message).toMatch(/^ERR unknown command 'NOSUCHCMD'/);
      const user = `echo-${process.pid}`;
      const acl = await node.sendCommand(['ACL', 'SETUSER', user, `#${SECRET}`]).catch((e: unknown) => e);
      expectNoSecret(acl);
      expect((acl as ReplyError).message).toMatch(/ACL SETUSER modifier '\?'/);
      await node.sendCommand(['ACL', 'DELUSER', user]);
    });
  });

  it('unknown command on a plain NodeConnection', async () => {
    const connection = new NodeConnection({ socket: { port: testServers().standalone.port } });
    try {
      expectNoSecret(await connection.sendCommand(['NOSUCHCMD', SECRET]).catch((e: unknown) => e));
    } finally {
      await connection.close();
    }
  });
});
