import { resetCluster, testServers } from './servers.js';
import { lockChaosCluster } from './workload.js';

/**
 * Registers the hooks every chaos test file needs: take the chaos-cluster lock, start from a freshly
 * created chaos cluster (earlier files kill, restart and reshard its nodes), and restore it and
 * release the lock at the end. Call it at the top of the file's `describe`.
 */
export function useFreshChaosCluster(): void {
  let release: (() => void) | undefined;
  beforeAll(async () => {
    release = await lockChaosCluster();
    await resetCluster(testServers().clusters.chaos, { recreate: true });
  }, 180_000);
  afterAll(async () => {
    try {
      await resetCluster(testServers().clusters.chaos);
    } finally {
      release?.();
    }
  }, 120_000);
}
