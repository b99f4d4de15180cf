// The server harness: plain Node ESM, no dependencies. See scripts/cluster.mjs (dev cluster CLI) and
// test/support/global-setup.mjs (test servers).
export * from './util.mjs';
export * from './proc.mjs';
export * from './install.mjs';
export * from './server-bin.mjs';
export * from './resp.mjs';
export * from './node.mjs';
export * from './cluster-ops.mjs';
export * from './certs.mjs';
export * from './test-servers.mjs';
