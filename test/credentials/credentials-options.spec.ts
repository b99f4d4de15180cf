import { inspect } from 'node:util';
import fc from 'fast-check';
import { resolveClusterOptions } from '../../lib/engine/cluster/cluster-options.js';
import { resolveNodeConnectionOptions } from '../../lib/engine/connection/connection-options.js';
import { CredentialsSource } from '../../lib/engine/auth/credentials-source.js';
import { NodeConnection } from '../../lib/engine/connection/node-connection.js';
import { createCluster } from '../../lib/index.js';
import { ConfigError, CredentialsProviderError, type AsyncCredentialsProvider, type StreamingCredentialsProvider } from '../../lib/index.js';

const SECRET = 'sup3r-secret-token';
const asyncProvider: AsyncCredentialsProvider = { type: 'async-credentials-provider', credentials: async () => ({ username: 'u', password: SECRET }) };
const streaming = (): StreamingCredentialsProvider & { subscribed: number; disposed: number } => {
  const p = {
    type: 'streaming-credentials-provider' as const,
    subscribed: 0,
    disposed: 0,
    subscribe: async () => {
      p.subscribed++;
      return [{ password: SECRET }, { dispose: () => void p.disposed++ }] as [{ password: string }, { dispose(): void }];
    },
    onReAuthenticationError: () => undefined,
  };
  return p;
};
const seed = { socket: { host: '127.0.0.1', port: 7000 } };

describe('credentialsProvider options', () => {
  it('is a ConfigError together with username/password, in defaults, on a seed, or with URL credentials', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => resolveNodeConnectionOptions({ credentialsProvider: asyncProvider, password: 'x' }), /"credentialsProvider"/],
      [() => resolveNodeConnectionOptions({ credentialsProvider: asyncProvider, username: 'x' }), /"credentialsProvider"/],
      [() => resolveNodeConnectionOptions({ credentialsProvider: asyncProvider, url: 'redis://u:p@h:1' }), /"credentialsProvider"/],
      [() => resolveClusterOptions({ rootNodes: [seed], defaults: { credentialsProvider: asyncProvider, password: 'x' } }), /"defaults\.credentialsProvider"/],
      [() => resolveClusterOptions({ rootNodes: [{ ...seed, credentialsProvider: asyncProvider, password: 'x' }] }), /"rootNodes\[0\]\.credentialsProvider"/],
      [() => resolveClusterOptions({ rootNodes: [{ url: 'redis://u:p@h:1' }], defaults: { credentialsProvider: asyncProvider } }), /"rootNodes\[0\]\.credentialsProvider"/],
    ];
    for (const [resolve, option] of cases) {
      let thrown: unknown;
      try {
        resolve();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message).toMatch(option);
      expect((thrown as Error).message).not.toContain('redis://u:p');
    }
  });

  it('a seed\'s own static credentials or provider replace the defaults\' (no conflict)', () => {
    const a = resolveClusterOptions({ rootNodes: [{ ...seed, password: 'p' }], defaults: { credentialsProvider: asyncProvider } });
    expect(a.rootNodes[0]!.credentials).toBeUndefined();
    expect(a.rootNodes[0]!.password?.reveal()).toBe('p');
    expect(a.nodeOptions('h', 1).credentials).toBeInstanceOf(CredentialsSource);
    const b = resolveClusterOptions({ rootNodes: [{ ...seed, credentialsProvider: asyncProvider }], defaults: { password: 'p' } });
    expect(b.rootNodes[0]!.credentials).toBeInstanceOf(CredentialsSource);
    expect(b.nodeOptions('h', 1).password?.reveal()).toBe('p');
  });

  it('a seed-only provider is inherited by discovered nodes; one source per provider per client', () => {
    const provider = streaming();
    const r = resolveClusterOptions({ rootNodes: [{ ...seed, credentialsProvider: provider }, { socket: { host: '127.0.0.1', port: 7001 } }] });
    expect(r.nodeOptions('h', 1).credentials).toBe(r.rootNodes[0]!.credentials);
    expect(r.credentialSources).toHaveLength(1);
    const d = resolveClusterOptions({ rootNodes: [seed, seed], defaults: { credentialsProvider: provider } });
    expect(d.credentialSources).toHaveLength(1);
    expect(d.rootNodes[0]!.credentials).toBe(d.rootNodes[1]!.credentials);
    expect(d.nodeOptions('h', 1).credentials).toBe(d.rootNodes[0]!.credentials);
    // Another client gets its own source (its own subscription, disposed by its own close()).
    const other = resolveClusterOptions({ rootNodes: [seed], defaults: { credentialsProvider: provider } });
    expect(other.credentialSources[0]).not.toBe(d.credentialSources[0]);
  });

  it('rejects any malformed provider with a ConfigError naming the option, never another exception', () => {
    const arbitraryProvider = fc.oneof(
      fc.anything(),
      fc.record({ type: fc.oneof(fc.constantFrom('async-credentials-provider', 'streaming-credentials-provider'), fc.string()), credentials: fc.anything(), subscribe: fc.anything(), onReAuthenticationError: fc.anything() }, { requiredKeys: [] }),
    );
    fc.assert(
      fc.property(arbitraryProvider, (value) => {
        if (value === undefined) return; // no provider
        try {
          resolveClusterOptions({ rootNodes: [seed], defaults: { credentialsProvider: value as never } });
          const v = value as Record<string, unknown>;
          // Accepted only when the shape is complete.
          expect(
            (v.type === 'async-credentials-provider' && typeof v.credentials === 'function') ||
              (v.type === 'streaming-credentials-provider' && typeof v.subscribe === 'function' && typeof v.onReAuthenticationError === 'function'),
          ).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as ConfigError).option).toMatch(/^defaults\.credentialsProvider/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('credentials never show in util.inspect or JSON of the resolved options', async () => {
    const r = resolveClusterOptions({ rootNodes: [seed], defaults: { credentialsProvider: streaming() } });
    await r.credentialSources[0]!.get('h:1');
    for (const dump of [inspect(r, { depth: Infinity, showHidden: true }), inspect(r.nodeOptions('h', 1), { depth: Infinity }), JSON.stringify(r.nodeOptions('h', 1))]) {
      expect(dump).not.toContain(SECRET);
    }
    expect(inspect(r.credentialSources[0])).toBe("CredentialsSource { kind: 'streaming' }");
  });

  it('a static password (defaults, URL or one seed) never shows in inspect, JSON, entries or spreads of the resolved options', () => {
    const resolved = [
      resolveClusterOptions({ rootNodes: [seed], defaults: { username: 'u', password: SECRET } }),
      resolveClusterOptions({ rootNodes: [{ url: `redis://u:${SECRET}@127.0.0.1:7000` }] }),
      resolveClusterOptions({ rootNodes: [seed, { ...seed, username: 'u', password: SECRET }] }),
    ];
    for (const r of resolved) {
      const node = r.nodeOptions('h', 1);
      const root = r.rootNodes.find((n) => n.password !== undefined)!;
      const dumps = [
        inspect(r, { depth: Infinity, showHidden: true }),
        inspect(node, { depth: Infinity, showHidden: true }),
        JSON.stringify(r.rootNodes),
        JSON.stringify({ ...node }),
        JSON.stringify(Object.entries(root)),
        Object.values(node).map(String).join(' '),
      ];
      for (const dump of dumps) expect(dump).not.toContain(SECRET);
      // Still there for the handshake.
      expect(node.password?.reveal()).toBe(SECRET);
      expect(root.password?.reveal()).toBe(SECRET);
    }
  });

  it('util.inspect of a client or a connection never shows static credentials, at any depth', async () => {
    const cluster = createCluster({ rootNodes: [{ url: `redis://u:${SECRET}@127.0.0.1:7000` }], defaults: { commandTimeout: 100 } });
    const connection = new NodeConnection({ url: `redis://u:${SECRET}@127.0.0.1:7000` });
    for (const value of [cluster, connection, { nested: { cluster, connection } }]) {
      expect(inspect(value, { depth: Infinity, showHidden: true })).not.toContain(SECRET);
    }
    expect(inspect(cluster)).toBe("RedisCluster { state: 'idle', nodes: [] }");
    await cluster.close();
    await connection.destroy();
  });

  it('a streaming source subscribes once, keeps the latest pushed credentials, and disposes once', async () => {
    let push: ((c: unknown) => void) | undefined;
    let disposed = 0;
    const provider: StreamingCredentialsProvider = {
      type: 'streaming-credentials-provider',
      subscribe: async (listener) => {
        push = listener.onNext as (c: unknown) => void;
        return [{ password: 'one' }, { dispose: () => void disposed++ }];
      },
      onReAuthenticationError: () => undefined,
    };
    const source = new CredentialsSource(provider);
    const [a, b] = await Promise.all([source.get('h:1'), source.get('h:2')]);
    expect(a).toEqual({ username: undefined, password: 'one' });
    expect(b).toBe(a);
    push!({ username: 'u2', password: 'two' });
    await expect(source.get('h:1')).resolves.toEqual({ username: 'u2', password: 'two' });
    const streamErrors: Error[] = [];
    source.observe({ reauthenticated: () => undefined, reauthenticationFailed: () => undefined, streamError: (e) => streamErrors.push(e) });
    push!({ password: 3 });
    expect(streamErrors[0]).toBeInstanceOf(CredentialsProviderError);
    await expect(source.get('h:1')).resolves.toEqual({ username: 'u2', password: 'two' });
    source.dispose();
    source.dispose();
    expect(disposed).toBe(1);
    await expect(source.get('h:1')).rejects.toBeInstanceOf(CredentialsProviderError);
  });

  it('share(): another client follows the one subscription (pushes relayed, its dispose never ends it); async providers are shared as they are', async () => {
    let push: ((c: unknown) => void) | undefined;
    let subscribed = 0;
    let disposed = 0;
    const reauthErrors: Error[] = [];
    const provider: StreamingCredentialsProvider = {
      type: 'streaming-credentials-provider',
      subscribe: async (listener) => {
        subscribed++;
        push = listener.onNext as (c: unknown) => void;
        return [{ username: 'u1', password: 'one' }, { dispose: () => void disposed++ }];
      },
      onReAuthenticationError: (error) => void reauthErrors.push(error),
    };
    const source = new CredentialsSource(provider);
    const shared = source.share();
    expect(source.share()).toBe(shared); // one object: the other client makes one source of it
    const follower = new CredentialsSource(shared);
    await expect(follower.get('h:1')).resolves.toEqual({ username: 'u1', password: 'one' }); // subscribes the source
    await expect(source.get('h:1')).resolves.toEqual({ username: 'u1', password: 'one' });
    expect(subscribed).toBe(1);
    push!({ username: 'u2', password: 'two' });
    await expect(follower.get('h:1')).resolves.toEqual({ username: 'u2', password: 'two' });
    await expect(source.get('h:1')).resolves.toEqual({ username: 'u2', password: 'two' });
    const failure = new Error('refused');
    (shared as StreamingCredentialsProvider).onReAuthenticationError(failure);
    expect(reauthErrors).toEqual([failure]);
    follower.dispose(); // the other client closes: the source keeps its subscription
    expect(disposed).toBe(0);
    push!({ username: 'u3', password: 'three' });
    await expect(source.get('h:1')).resolves.toEqual({ username: 'u3', password: 'three' });
    expect(subscribed).toBe(1);
    source.dispose();
    expect(disposed).toBe(1);
    await expect(new CredentialsSource(shared).get('h:1')).rejects.toBeInstanceOf(CredentialsProviderError);
    expect(new CredentialsSource(asyncProvider).share()).toBe(asyncProvider);
    const cluster = createCluster({ rootNodes: [seed], defaults: { credentialsProvider: provider } });
    expect(cluster.sharedCredentialsProvider(provider)).not.toBe(provider);
    expect(cluster.sharedCredentialsProvider(provider)).toBe(cluster.sharedCredentialsProvider(provider));
    expect(cluster.sharedCredentialsProvider(asyncProvider)).toBe(asyncProvider); // not one of its providers
    await cluster.close();
  });

  it('any pushed value is either taken (an object of string/undefined username and password) or reported as CredentialsProviderError, never thrown', async () => {
    let push: ((c: unknown) => void) | undefined;
    const source = new CredentialsSource({
      type: 'streaming-credentials-provider',
      subscribe: async (listener) => {
        push = listener.onNext as (c: unknown) => void;
        return [{ password: 'initial' }, { dispose: () => undefined }];
      },
      onReAuthenticationError: () => undefined,
    });
    await source.get('h:1');
    const streamErrors: Error[] = [];
    source.observe({ reauthenticated: () => undefined, reauthenticationFailed: () => undefined, streamError: (e) => streamErrors.push(e) });
    const value = fc.oneof(fc.anything(), fc.record({ username: fc.oneof(fc.string(), fc.anything()), password: fc.oneof(fc.string(), fc.anything()) }, { requiredKeys: [] }));
    await fc.assert(
      fc.asyncProperty(value, async (pushed) => {
        const errorsBefore = streamErrors.length;
        const previous = await source.get('h:1');
        expect(() => push!(pushed)).not.toThrow();
        const v = pushed as { username?: unknown; password?: unknown } | null;
        const valid = typeof v === 'object' && v !== null && (v.username === undefined || typeof v.username === 'string') && (v.password === undefined || typeof v.password === 'string');
        const now = await source.get('h:1');
        if (valid) {
          expect(now).toEqual({ username: v.username, password: v.password });
          expect(streamErrors.length).toBe(errorsBefore);
        } else {
          expect(now).toBe(previous);
          expect(streamErrors[errorsBefore]).toBeInstanceOf(CredentialsProviderError);
          if (typeof v?.password === 'string' && v.password.length > 3) expect(streamErrors[errorsBefore]!.message).not.toContain(v.password);
        }
      }),
      { numRuns: 300 },
    );
    source.dispose();
  });

  it('a subscription that resolves after dispose is disposed at once', async () => {
    let resolve: ((v: [{ password: string }, { dispose(): void }]) => void) | undefined;
    let disposed = 0;
    const source = new CredentialsSource({
      type: 'streaming-credentials-provider',
      subscribe: () => new Promise((r) => (resolve = r)),
      onReAuthenticationError: () => undefined,
    });
    const pending = source.get('h:1');
    source.dispose();
    resolve!([{ password: 'x' }, { dispose: () => void disposed++ }]);
    await expect(pending).rejects.toBeInstanceOf(CredentialsProviderError);
    expect(disposed).toBe(1);
  });
});
