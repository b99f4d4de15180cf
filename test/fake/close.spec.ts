// close() and destroy() together: destroy() ends a close() that is draining a stuck command at once
// (what the Nest lifecycle does after shutdownTimeout), both settle, `end` fires once, and nothing the
// client created is left.
import { ClientClosedError, ConnectionError, createCluster } from '../../lib/index.js';
import { keySlot } from '../../lib/engine/commands/key-slot.js';
import { HandleTracker } from '../support/handle-tracker.js';
import * as F from './resp-frames.js';
import { useFakeCluster } from './support/fake-cluster.js';

/** One node, `a`, serving every slot. */
const fakes = useFakeCluster(1);

it('destroy() during a draining close() ends it without waiting for the stuck command', async () => {
  fakes.a.on('GET', () => ({ delayMs: 30_000, bytes: F.bulk('late') }));
  const tracker = new HandleTracker();
  try {
    const cluster = tracker.run(() => createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${fakes.a.port}` }], defaults: { commandTimeout: 20_000 }, topologyRefreshInterval: 0 }));
    let ends = 0;
    const errors: string[] = [];
    cluster.on('end', () => ends++);
    cluster.on('error', (e) => errors.push(e.name));
    cluster.on('node-error', (e) => errors.push(e.name));
    await tracker.run(() => cluster.connect());
    const key = 'k1';
    expect(keySlot(key)).toBeLessThan(16384);
    const inflight = tracker.run(() => cluster.get(key).catch((e: unknown) => e));
    await fakes.a.waitForCommand('GET');
    const closing = tracker.run(() => cluster.close());
    const destroying = tracker.run(() => cluster.destroy());
    await Promise.all([closing, destroying]);
    const outcome = await inflight;
    // It was written: it may have run (or, without a reason, the client was closed).
    expect(outcome instanceof ConnectionError || outcome instanceof ClientClosedError).toBe(true);
    expect(ends).toBe(1);
    expect(errors).toEqual([]);
    expect(await tracker.run(() => cluster.close())).toBeUndefined();
    expect(ends).toBe(1);
    expect(await tracker.leftovers()).toEqual({});
  } finally {
    tracker.disable();
  }
});
