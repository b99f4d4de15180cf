// Jest global teardown: stops every server the setup (or a test, via restartNode) started, by recorded PID.
// Node logs stay in .test-servers/<group>/<port>/redis.log for post-mortems; the next setup wipes them.
import { stopTestServers } from '../../scripts/lib/index.mjs';

export default async function globalTeardown() {
  if (process.env.NRC_SKIP_SERVERS === '1') return;
  await stopTestServers();
}
