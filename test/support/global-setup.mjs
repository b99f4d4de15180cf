// Jest global setup (runs once, in jest's parent process, before any test file).
// Starts the test servers (see scripts/lib/test-servers.mjs) and writes .test-servers/servers.json, which
// test/support/servers.ts reads. Set NRC_SKIP_SERVERS=1 to skip this (unit-only runs).
import { formatMs, startTestServers, TEST_PORTS } from '../../scripts/lib/index.mjs';

export default async function globalSetup() {
  if (process.env.NRC_SKIP_SERVERS === '1') return;
  const log = (m) => process.stderr.write(`${m}\n`);
  const servers = await startTestServers({ log });
  // Workers are forked after this point, so they inherit it.
  process.env.NRC_TEST_SERVERS_FILE = servers.file;
  const r = (ports) => `${ports[0]}-${ports[ports.length - 1]}`;
  log(
    `\n[test-servers] ${servers.server.flavour} ${servers.redisVersion} ready in ${formatMs(servers.setupMs)}: main ${r(TEST_PORTS.main)}, ` +
      `chaos ${r(TEST_PORTS.chaos)}, standalone ${TEST_PORTS.standalone}, tls ${TEST_PORTS.tls}, acl ${TEST_PORTS.acl}`,
  );
}
