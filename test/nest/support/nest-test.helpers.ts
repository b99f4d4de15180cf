/** Helpers of the Nest layer's tests. */
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { HandleTracker, expectNoLeftovers } from '../../support/handle-tracker.js';
import { closedPorts } from '../../support/ports.js';
import { testServers } from '../../support/servers.js';

export { HandleTracker, expectNoLeftovers, closedPorts };

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

/** A namespace no other test (or run) uses. */
export function uniqueNamespace(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a test in the scope of a fresh HandleTracker, disabled at the end: the Nest app it boots,
 * the app's clients and HTTP server, and every timer or socket its calls make them create are
 * recorded (not the timers of jest or of earlier tests), so closeAndExpectNoLeaks(app, tracker)
 * can tell what the app left behind.
 *
 *   it('…', tracked(async (tracker) => { const app = await boot(); …; await closeAndExpectNoLeaks(app, tracker); }));
 */
export function tracked(fn: (tracker: HandleTracker) => Promise<void>): () => Promise<void> {
  return async () => {
    const tracker = new HandleTracker();
    try {
      await tracker.run(() => fn(tracker));
    } finally {
      tracker.disable();
    }
  };
}

/**
 * For an app shared by the tests of a describe block (booted in beforeAll inside
 * `tracker.run`): wraps a test so that it runs in the same tracker's scope.
 *
 *   const inApp = inScopeOf(() => tracker);  it('…', inApp(async () => { … }));
 */
export function inScopeOf(tracker: () => HandleTracker): <T>(fn: () => Promise<T>) => () => Promise<T> {
  return (fn) => () => tracker().run(fn);
}

/**
 * Closes the app (in the tracker's scope: what close() starts counts too), then waits (up to
 * 2 s: sockets ended by close() are destroyed a few event-loop turns later) until nothing the
 * tracker recorded is alive; fails with the kind and creation stack of each handle left. The
 * tracker is disabled afterwards.
 */
export async function closeAndExpectNoLeaks(app: INestApplication | { close(): Promise<void> }, tracker: HandleTracker): Promise<void> {
  try {
    await tracker.run(() => app.close());
    if (tracker.created === 0) throw new Error('the tracker recorded no handle: was the app booted outside tracker.run()?');
    await expectNoLeftovers(tracker);
  } finally {
    tracker.disable();
  }
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

/** A promise with its resolve handle: a loader (or call) whose end the test decides. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Waits until `condition` holds, checking after each macrotask (for "the loader was called"), for
 * 10 s at most, then asserts it: the calls under test are held by deferred promises, so waiting
 * longer cannot change the interleaving, only survive a slow machine.
 */
export async function untilHeld(condition: () => boolean): Promise<void> {
  const end = performance.now() + 10_000;
  while (!condition() && performance.now() < end) await new Promise((r) => setImmediate(r));
  expect(condition()).toBe(true);
}
