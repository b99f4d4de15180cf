import type { BasicAuth, Disposable, RedisCluster, RedisClusterOptions, StreamingCredentialsListener, StreamingCredentialsProvider } from '../../lib/index.js';
import { mainCluster, useTestClient } from '../support/cluster-client.js';
import { nodeCommand, testServers } from '../support/servers.js';

/** A streaming provider driven by the test: `push()` sends new credentials to the subscribed client. */
export class TestStreamingProvider implements StreamingCredentialsProvider {
  readonly type = 'streaming-credentials-provider' as const;
  listener: StreamingCredentialsListener<BasicAuth> | undefined;
  subscribeCalls = 0;
  disposed = 0;
  readonly reauthErrors: Error[] = [];

  constructor(private initial: BasicAuth) {}

  subscribe(listener: StreamingCredentialsListener<BasicAuth>): Promise<[BasicAuth, Disposable]> {
    this.subscribeCalls++;
    this.listener = listener;
    return Promise.resolve([this.initial, { dispose: () => void this.disposed++ }]);
  }

  onReAuthenticationError = (error: Error): void => {
    this.reauthErrors.push(error);
  };

  push(credentials: BasicAuth): void {
    this.initial = credentials;
    this.listener?.onNext(credentials);
  }
}

/** Creates (or resets) an ACL user with full rights and the given passwords on every port. */
export async function setUser(ports: readonly number[], user: string, ...passwords: string[]): Promise<void> {
  for (const port of ports) await nodeCommand(port, 'ACL', 'SETUSER', user, 'reset', 'on', ...passwords.map((p) => `>${p}`), '~*', '&*', '+@all');
}

/** Runs ACL SETUSER user <rule>… on every port. */
export async function aclRule(ports: readonly number[], user: string, ...rules: string[]): Promise<void> {
  for (const port of ports) await nodeCommand(port, 'ACL', 'SETUSER', user, ...rules);
}

export async function deleteUsers(ports: readonly number[], ...users: string[]): Promise<void> {
  for (const port of ports) await nodeCommand(port, 'ACL', 'DELUSER', ...users).catch(() => undefined);
}

/** Number of client connections authenticated as `user` on every port, by port. */
export async function connectionsOf(ports: readonly number[], user: string): Promise<Record<number, number>> {
  const out: Record<number, number> = {};
  for (const port of ports) {
    const list = String(await nodeCommand(port, 'CLIENT', 'LIST'));
    out[port] = list.split('\n').filter((line) => line.split(' ').includes(`user=${user}`)).length;
  }
  return out;
}

export function total(counts: Record<number, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Registers the hooks of a describe block that runs clients as ACL users of the main cluster: `users` (name →
 * password, full rights) are created on every node before its tests and deleted after them, and the client a test
 * opens with the returned function is closed after that test. The function creates it (not connected) with the
 * first node as its only root node and `defaults` as its connection defaults (the credentials under test).
 */
export function useMainClusterUsers(users: Record<string, string>): (defaults: RedisClusterOptions['defaults']) => RedisCluster {
  const ports = () => testServers().clusters.main.ports;
  beforeAll(async () => {
    for (const [user, password] of Object.entries(users)) await setUser(ports(), user, password);
  });
  afterAll(() => deleteUsers(ports(), ...Object.keys(users)));
  const testClient = useTestClient();
  return (defaults) => testClient(mainCluster({ rootNodes: [{ socket: { host: '127.0.0.1', port: ports()[0]! } }], defaults }));
}
