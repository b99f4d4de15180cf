/**
 * Keeps sample/ from rotting: boots its AppModule against the test cluster and checks its
 * endpoints over HTTP; then builds it the documented way (`npm run sample:build`) and runs the
 * compiled app with plain node, including a SIGTERM shutdown.
 */
import 'reflect-metadata';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../sample/src/app.module.js';
import type { ReceivedOrder } from '../../sample/src/orders/order.interface.js';
import { describeWithServers, testServers } from '../support/servers.js';
import { HandleTracker, closeAndExpectNoLeaks, closedPorts, eventually, inScopeOf } from './support/nest-test.helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function clusterUrl(): string {
  const main = testServers().clusters.main;
  return `redis://${main.host}:${main.ports[0]},redis://${main.host}:${main.ports[1]}`;
}

describeWithServers('sample app (in process)', () => {
  let app: INestApplication;
  // The app lives across the tests: each runs in the tracker's scope, so what their requests make
  // the app create counts too.
  let tracker: HandleTracker;
  const inApp = inScopeOf(() => tracker);

  beforeAll(async () => {
    process.env.REDIS_CLUSTER_NODES = clusterUrl();
    tracker = new HandleTracker();
    await tracker.run(async () => {
      const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
      app = moduleRef.createNestApplication({ logger: false });
      await app.init();
    });
  });

  afterAll(async () => {
    delete process.env.REDIS_CLUSTER_NODES;
    await closeAndExpectNoLeaks(app, tracker);
  });

  it('GET /health reports the cluster up with per-node detail', inApp(async () => {
    const res = await request(app.getHttpServer()).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.redis).toMatchObject({ status: 'up', clusterState: 'ok', slotsCovered: 16384 });
  }));

  it('PUT then GET /notes/:id writes and reads through @InjectCluster', inApp(async () => {
    const put = await request(app.getHttpServer()).put('/notes/hello').send({ text: 'world' }).expect(200);
    expect(put.body).toEqual({ id: 'hello', slot: expect.any(Number) });
    await request(app.getHttpServer()).get('/notes/hello').expect(200, { id: 'hello', text: 'world' });
    await request(app.getHttpServer()).get('/notes/missing-note').expect(404);
  }));

  it('caches products with @Cacheable and evicts them with @CacheEvict', inApp(async () => {
    const server = app.getHttpServer();
    await request(server).delete('/products/cache').expect(200, { cleared: true });
    const reads = async () => ((await request(server).get('/products/stats').expect(200)).body as { databaseReads: number }).databaseReads;
    const start = await reads();
    await request(server).get('/products/1').expect(200, { id: '1', name: 'Keyboard', price: 49 });
    await request(server).get('/products/1').expect(200);
    expect(await reads()).toBe(start + 1);
    await request(server).put('/products/1').send({ price: 59 }).expect(200);
    await request(server).get('/products/1').expect(200, { id: '1', name: 'Keyboard', price: 59 });
    expect(await reads()).toBe(start + 2);
    await request(server).get('/products/404').expect(404);
  }));

  it('POST /orders publishes on the sharded channel and the @OnShardedMessage handler receives it (GET /orders/received)', inApp(async () => {
    const server = app.getHttpServer();
    const item = `widget-${randomUUID().slice(0, 8)}`;
    const placed = await request(server).post('/orders').send({ item, quantity: 2 }).expect(201);
    expect(placed.body).toEqual({ order: { id: expect.any(String), item, quantity: 2 }, receivers: expect.any(Number) });
    expect(placed.body.receivers).toBeGreaterThanOrEqual(1); // subscribed during bootstrap
    const id = (placed.body as { order: { id: string } }).order.id;
    let received: ReceivedOrder[] = [];
    await eventually(
      async () => {
        received = (await request(server).get('/orders/received').expect(200)).body as ReceivedOrder[];
        return received.some((order) => order.id === id);
      },
      5000,
      'the order to reach the handler',
    );
    expect(received.find((order) => order.id === id)).toEqual({ id, item, quantity: 2, channel: 'orders:{eu}', receivedAt: expect.any(String) });
    await request(server).post('/orders').send({ quantity: 1 }).expect(400);
  }));
});

function run(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(String(stdout));
    });
  });
}

describeWithServers('sample app (built with npm run sample:build, run with node)', () => {
  it('builds, serves /health, /products and /orders, and exits on SIGTERM', async () => {
    await run('npm', ['run', '-s', 'sample:build'], 180_000);
    const [port] = await closedPorts(1);
    const child = spawn(process.execPath, ['dist-sample/sample/src/main.js'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), REDIS_CLUSTER_NODES: clusterUrl() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      await eventually(async () => (await fetch(`${base}/health`)).status === 200, 30_000, `the built sample to answer /health\n${output}`);
      const product = (await (await fetch(`${base}/products/2`)).json()) as { name: string };
      expect(product.name).toBe('Mouse');
      const placed = await fetch(`${base}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ item: 'built-sample', quantity: 3 }),
      });
      expect(placed.status).toBe(201);
      const { order } = (await placed.json()) as { order: { id: string } };
      await eventually(
        async () => ((await (await fetch(`${base}/orders/received`)).json()) as ReceivedOrder[]).some((o) => o.id === order.id),
        5000,
        'the built sample to receive its order',
      );
      const stopping = Date.now();
      child.kill('SIGTERM');
      // Nest runs the shutdown hooks, then re-raises the signal: the process ends by SIGTERM.
      expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
      expect(Date.now() - stopping).toBeLessThan(10_000);
      expect(output).not.toMatch(/ERROR/);
      expect(output).toContain('Sample app listening');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 240_000);
});
