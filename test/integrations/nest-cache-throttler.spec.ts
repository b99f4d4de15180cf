// A real Nest app: @nestjs/cache-manager 12 (cache-manager 7, Keyv 5) over RedisClusterKeyvStore, and
// @nestjs/throttler 6 over RedisClusterThrottlerStorage, on the main test cluster. Two app instances (two processes,
// see apps/cache-throttler-app.ts for why they are processes) share the cache and the throttler counts.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedisCluster } from '../../lib/index.js';
import { RedisClusterThrottlerStorage, THROTTLER_SCRIPT, throttlerKeys } from '../../lib/throttler.js';
import { mainCluster } from '../support/cluster-client.js';
import { describeWithServers, nodeCommand, testServers } from '../support/servers.js';
import { uniqueNamespace } from '../nest/support/nest-test.helpers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const NS = uniqueNamespace('nestcache');
const PREFIX = `${uniqueNamespace('thr')}:`;
/** The blocking route allows 2 hits per WINDOW_MS (long enough for 3 HTTP round trips on a slow machine), then blocks for BLOCK_MS. */
const BLOCK_MS = 3000;
const WINDOW_MS = 1000;

interface AppProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  next(): Promise<Record<string, unknown>>;
  stderr: string[];
}

/** Starts one app process and resolves once it listens. */
async function startApp(): Promise<AppProcess> {
  const main = testServers().clusters.main;
  const child = spawn(process.execPath, ['--import', 'tsx/esm', join(HERE, 'apps', 'cache-throttler-app.ts')], {
    cwd: REPO,
    env: {
      ...process.env,
      APP_SEED_URL: `redis://127.0.0.1:${main.ports[0]}`,
      APP_CACHE_NAMESPACE: NS,
      APP_THROTTLER_PREFIX: PREFIX,
      APP_BLOCK_MS: String(BLOCK_MS),
      APP_WINDOW_MS: String(WINDOW_MS),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    let t: NodeJS.Timeout | undefined;
    const timer = new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`app process said nothing within 30 s; stderr: ${stderr.join('')}`)), 30_000);
    });
    const line = await Promise.race([lines.next(), timer]).finally(() => clearTimeout(t));
    if (line.done) throw new Error(`app process ended; stderr: ${stderr.join('')}`);
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  const { port } = (await next()) as { port: number };
  return { child, url: `http://127.0.0.1:${port}`, next, stderr };
}

/** Closes the app (app.close()) and resolves with what it reported and its exit code. */
async function stopApp(app: AppProcess): Promise<{ report: Record<string, unknown>; code: number | null }> {
  const exited = new Promise<number | null>((r) => app.child.once('exit', (code) => r(code)));
  app.child.stdin.write('close\n');
  const report = await app.next();
  app.child.stdin.end();
  return { report, code: await exited };
}

const get = (app: AppProcess, path: string): Promise<Response> => fetch(`${app.url}${path}`);

/** EVALSHA and EVAL calls so far, summed over the main cluster's nodes (INFO commandstats). */
async function scriptCalls(): Promise<{ evalsha: number; eval: number }> {
  const total = { evalsha: 0, eval: 0 };
  for (const port of testServers().clusters.main.ports) {
    const info = String(await nodeCommand(port, 'INFO', 'commandstats'));
    for (const name of ['evalsha', 'eval'] as const) {
      const m = new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm').exec(info);
      total[name] += m ? Number(m[1]) : 0;
    }
  }
  return total;
}

describeWithServers('Nest app: CacheModule + Keyv store, ThrottlerModule + storage, on the cluster', () => {
  let app1: AppProcess;
  let app2: AppProcess;
  let probe: RedisCluster;

  beforeAll(async () => {
    probe = mainCluster();
    await probe.connect();
    [app1, app2] = await Promise.all([startApp(), startApp()]);
  }, 60_000);

  afterAll(async () => {
    await probe.close();
    for (const app of [app1, app2]) if (app && app.child.exitCode === null) app.child.kill('SIGKILL');
  });

  it('CacheInterceptor and cache.wrap store in the cluster under the Keyv namespace, shared by both apps', async () => {
    const first = await get(app1, '/cached');
    const again = await get(app2, '/cached');
    expect([first.status, again.status]).toEqual([200, 200]);
    const body1 = (await first.json()) as { n: number; pid: number };
    // app2 answered from the cache app1 filled: the body names app1's process.
    expect(await again.json()).toEqual(body1);
    expect(body1).toEqual({ n: 1, pid: app1.child.pid });
    expect(await probe.exists(`${NS}:/cached`)).toBe(1);
    const pttl = (await probe.pTTL(`${NS}:/cached`)) as number;
    expect(pttl).toBeGreaterThan(50_000);
    expect(pttl).toBeLessThanOrEqual(60_000);

    expect(await (await get(app1, '/product/7')).json()).toEqual({ id: '7', n: 1 });
    expect(await (await get(app2, '/product/7')).json()).toEqual({ id: '7', n: 1 });
    expect(await probe.exists(`${NS}:product:7`)).toBe(1);

    await probe.set(`${NS}-bystander:product:7`, 'keep');
    expect(await (await get(app1, '/clear')).json()).toEqual({ cleared: true });
    expect(await probe.exists([`${NS}:/cached`, `${NS}:product:7`])).toBe(0);
    expect(await probe.get(`${NS}-bystander:product:7`)).toBe('keep');
    await probe.del(`${NS}-bystander:product:7`);
    // app2 never computed product 7: after the clear it computes it for the first time.
    expect(await (await get(app2, '/product/7')).json()).toEqual({ id: '7', n: 1 });
    expect(await (await get(app1, '/product/7')).json()).toEqual({ id: '7', n: 1 });
  });

  it('the limit is shared by two app instances: 429 on the hit after the limit, whichever app gets it', async () => {
    const statuses = [];
    for (const app of [app1, app2, app1]) statuses.push((await get(app, '/limited')).status);
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await get(app2, '/limited');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await get(app1, '/limited')).status).toBe(429);
  });

  it('a blocked client stays blocked for blockDuration, past the end of its window, then is let through', async () => {
    expect((await get(app1, '/blocking')).status).toBe(200);
    expect((await get(app2, '/blocking')).status).toBe(200);
    const sentAt = Date.now();
    const refused = await get(app1, '/blocking');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String(Math.ceil(BLOCK_MS / 1000)));
    // Keep asking: every answer is 429 until the block ends, including after the window has passed.
    let refusedAfterWindow = 0;
    for (;;) {
      const res = await get(Date.now() % 2 ? app1 : app2, '/blocking');
      if (res.status === 200) break;
      expect(res.status).toBe(429);
      if (Date.now() - sentAt > WINDOW_MS * 2) refusedAfterWindow++;
      if (Date.now() - sentAt > BLOCK_MS * 5) throw new Error('the block never ended');
      await new Promise((r) => setTimeout(r, 50));
    }
    // The block was set at or after sentAt, so it cannot have ended before sentAt + BLOCK_MS.
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(BLOCK_MS);
    expect(refusedAfterWindow).toBeGreaterThan(0);
  });

  it('the storage is atomic per key under concurrency, and its two keys share one slot', async () => {
    const storage = new RedisClusterThrottlerStorage(probe, { prefix: PREFIX });
    const key = `conc-${NS}`;
    for (const port of testServers().clusters.main.ports) await nodeCommand(port, 'SCRIPT', 'LOAD', THROTTLER_SCRIPT.script);
    const before = await scriptCalls();
    const results = await Promise.all(Array.from({ length: 50 }, () => storage.increment(key, 60_000, 20, 60_000, 'conc')));
    // One round trip per hit: exactly 50 EVALSHA and nothing else script-wise (the script is loaded everywhere).
    const after = await scriptCalls();
    expect({ evalsha: after.evalsha - before.evalsha, eval: after.eval - before.eval }).toEqual({ evalsha: 50, eval: 0 });
    const hits = results.map((r) => r.totalHits).sort((a, b) => a - b);
    // Hits 1..21 were counted one by one (the 21st started the block); the other 29 were refused uncounted.
    expect(hits.slice(0, 21)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(results.filter((r) => !r.isBlocked)).toHaveLength(20);
    expect(results.filter((r) => r.isBlocked).every((r) => r.timeToBlockExpire === 60)).toBe(true);
    const [h, b] = throttlerKeys(PREFIX, 'conc', key);
    expect(probe.keySlot(h)).toBe(probe.keySlot(b));
    for (const weird of ['}', '{', '{}', 'a}b{c', '']) {
      const [x, y] = throttlerKeys(PREFIX, weird, weird);
      expect(probe.keySlot(x)).toBe(probe.keySlot(y));
    }
    // Loaded once per master: after a SCRIPT FLUSH the next hit still works (EVALSHA -> NOSCRIPT -> EVAL).
    for (const port of testServers().clusters.main.ports) await nodeCommand(port, 'SCRIPT', 'FLUSH');
    expect(await nodeCommand(testServers().clusters.main.ports[0]!, 'SCRIPT', 'EXISTS', THROTTLER_SCRIPT.sha1)).toEqual([0]);
    expect((await storage.increment(`after-flush-${NS}`, 1000, 5, 0, 'conc')).totalHits).toBe(1);
    expect((await storage.increment(`after-flush-${NS}`, 1000, 5, 0, 'conc')).totalHits).toBe(2);
    expect(THROTTLER_SCRIPT.sha1).toMatch(/^[0-9a-f]{40}$/);
  });

  it('bad arguments reject with ArgumentError', async () => {
    const storage = new RedisClusterThrottlerStorage(probe);
    for (const args of [
      [1, 1000, 1, 0, 'n'],
      ['k', Number.NaN, 1, 0, 'n'],
      ['k', 0, 1, 0, 'n'],
      ['k', 1000, -1, 0, 'n'],
      ['k', 1000, 1, Number.POSITIVE_INFINITY, 'n'],
      ['k', 1000, 1, 0, null],
    ] as const) {
      await expect((storage.increment as (...a: unknown[]) => Promise<unknown>)(...args)).rejects.toMatchObject({ code: 'ERR_REDIS_ARGUMENT' });
    }
    expect(() => new RedisClusterThrottlerStorage(probe, { prefix: 'a{b' })).toThrow(/prefix/);
  });

  it('both apps close cleanly: no socket or timer left after app.close(), exit code 0', async () => {
    for (const app of [app1, app2]) {
      const { report, code } = await stopApp(app);
      expect(report).toEqual({ closed: true, leaks: [] });
      expect(code).toBe(0);
    }
  });
});
