// Smart Client Handoffs against the real Redis 7.0 cluster, which does not know CLIENT MAINT_NOTIFICATIONS:
// 'auto' (the default) sends the opt-in, gets `-ERR unknown subcommand`, and carries on; 'enabled' fails fast.
import { createCluster, type RedisCluster, type RedisClusterOptions } from '../../lib/index.js';
import { HandshakeRefusedError } from '../../lib/engine/errors/connection.error.js';
import type { MaintenanceOptions } from '../../lib/engine/maintenance/types.js';
import { describeWithServers, nodeCommand, testServers } from '../support/servers.js';

function cluster(name: string, maintenance: MaintenanceOptions = {}): RedisCluster {
  const ports = testServers().clusters.main.ports;
  const options: RedisClusterOptions & MaintenanceOptions = {
    rootNodes: [{ url: `redis://127.0.0.1:${ports[0]}` }],
    // No CLIENT SETINFO: the opt-in is then the last handshake command of each connection.
    defaults: { name, clientInfo: false },
    topologyRefreshInterval: 0,
    ...maintenance,
  };
  const client = createCluster(options);
  client.on('error', () => undefined);
  client.on('node-error', () => undefined);
  return client;
}

/** The `cmd` field (last command run) of the connections named `name` on each master. */
async function lastCommands(client: RedisCluster, name: string): Promise<string[]> {
  const out: string[] = [];
  for (const master of client.getPrimaries()) {
    const list = String(await nodeCommand(master.port, 'CLIENT', 'LIST'));
    for (const line of list.split('\n')) {
      if (line.includes(` name=${name} `)) out.push(/ cmd=(\S+)/.exec(line)?.[1] ?? '?');
    }
  }
  return out;
}

describeWithServers('maintenance notifications on Redis 7.0 (not supported by the server)', () => {
  it("'auto' (the default): the refused opt-in is ignored and the client works", async () => {
    const name = `maint-auto-${process.pid}`;
    const client = cluster(name);
    try {
      await client.connect();
      // Redis 7.0 records no command for a rejected one: `cmd=NULL` shows that the last handshake
      // command (the opt-in) was sent and refused, where a client without it shows `cmd=hello`.
      expect(await lastCommands(client, name)).toEqual(['NULL', 'NULL', 'NULL']);
      const keys = Array.from({ length: 30 }, (_, i) => `maint:auto:${i}`);
      await Promise.all(keys.map((key, i) => client.set(key, String(i))));
      expect(await Promise.all(keys.map((key) => client.get(key)))).toEqual(keys.map((_, i) => String(i)));
      expect(new Set(keys.map((key) => client.getNodeByKey(key)!.address)).size).toBe(3);
      expect(await client.del(keys)).toBe(30);
      for (const master of client.getPrimaries()) expect(client.node(master.address)!.connection.inMaintenance).toBe(false);
    } finally {
      await client.close();
    }
  });

  it("'disabled' sends no opt-in", async () => {
    const name = `maint-off-${process.pid}`;
    const client = cluster(name, { maintNotifications: 'disabled' });
    try {
      await client.connect();
      // The last handshake command is the ready-check PING when no opt-in follows it.
      expect(await lastCommands(client, name)).toEqual(['ping', 'ping', 'ping']);
    } finally {
      await client.close();
    }
  });

  it("'enabled' fails each master connection at once with HandshakeRefusedError naming maintNotifications", async () => {
    const client = cluster(`maint-on-${process.pid}`, { maintNotifications: 'enabled' });
    const refused: Error[] = [];
    client.on('node-error', (error) => {
      if (error instanceof HandshakeRefusedError) refused.push(error);
    });
    try {
      const started = Date.now();
      await client.connect().catch(() => undefined);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(refused).toHaveLength(3);
      expect(refused[0]!.message).toMatch(/maintNotifications is 'enabled'/);
      expect(refused[0]!.message).toMatch(/unknown subcommand 'MAINT_NOTIFICATIONS'/i);
      // connect() gave up and closed the client: the refused node connections are not retried.
      await expect(client.get('any')).rejects.toThrow(/closed/);
    } finally {
      await client.destroy();
    }
  });

  it("'enabled': connect() rejects fast with HandshakeRefusedError", async () => {
    const client = cluster(`maint-on2-${process.pid}`, { maintNotifications: 'enabled' });
    try {
      const started = Date.now();
      const error = await client.connect().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HandshakeRefusedError);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await client.destroy();
    }
  });
});
