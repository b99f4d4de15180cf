/** Helpers of the Nest layer's tests. */
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { testServers } from '../../support/servers.js';

/** Root nodes of the main test cluster (30001–30006). */
export function mainRootNodes(): Array<{ url: string }> {
  const main = testServers().clusters.main;
  return [{ url: `redis://${main.host}:${main.ports[0]}` }, { url: `redis://${main.host}:${main.ports[1]}` }];
}

/** Root nodes of the chaos test cluster (30101–30106). */
export function chaosRootNodes(): Array<{ url: string }> {
  const chaos = testServers().clusters.chaos;
  return chaos.ports.slice(0, 3).map((port) => ({ url: `redis://${chaos.host}:${port}` }));
}

/** `n` TCP ports on 127.0.0.1 that nothing listens on (bound once, then closed). */
export async function closedPorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ports.push((server.address() as net.AddressInfo).port);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return ports;
}

/** A namespace no other test (or run) uses. */
export function uniqueNamespace(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sockets of this process connected to a test server port (30000–32767: offsets included). */
export function redisSockets(): net.Socket[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter(
    (h): h is net.Socket => h instanceof net.Socket && typeof h.remotePort === 'number' && h.remotePort >= 30000 && h.remotePort < 32768,
  );
}

/** Active timers of this process (Nest, jest and supertest may hold a few of their own). */
export function timerCount(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/**
 * Closes the app and waits until no socket to a test server is left and the timer count is back
 * to `timersBefore` (polls up to 2 s); fails with what is still open.
 */
export async function closeAndExpectNoLeaks(app: INestApplication | { close(): Promise<void> }, timersBefore: number): Promise<void> {
  await app.close();
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline && (redisSockets().length > 0 || timerCount() > timersBefore)) await sleep(20);
  expect(redisSockets().map((s) => `${s.remoteAddress}:${s.remotePort}`)).toEqual([]);
  expect(timerCount()).toBeLessThanOrEqual(timersBefore);
}

/** Polls `check` every 100 ms until it returns true (or throws after `timeoutMs`). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}
