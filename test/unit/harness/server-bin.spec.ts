/** The harness's server binary selection (scripts/lib/server-bin.mjs, install.mjs): NRC_REDIS_BIN_DIR, flavours, errors. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Chosen {
  redisServer: string;
  redisCli: string;
  flavour: string;
  version: string;
  major: number;
  binDir: string;
}
interface ServerBin {
  SERVER_BIN_DIR_ENV: string;
  parseServerVersion(text: string): { flavour: string; version: string; major: number };
  serverFromDir(dir: string): Chosen;
  serverBinDirFromEnv(env: Record<string, string | undefined>): string | undefined;
  isServerExecutable(text: string): boolean;
  ensureRedis(o: { log?: (m: string) => void; openssl?: boolean }): Promise<Chosen & { installed: boolean }>;
}

const lib = (): Promise<ServerBin> => import('../../../scripts/lib/index.mjs' as string) as Promise<ServerBin>;

let root: string;
function fakeBin(dir: string, name: string, versionLine: string): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\necho '${versionLine}'\n`);
  chmodSync(file, 0o755);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'nrc-server-bin-'));
  fakeBin(join(root, 'redis'), 'redis-server', 'Redis server v=8.6.3 sha=f5adcf9d:0 malloc=jemalloc-5.3.0 bits=64 build=1');
  fakeBin(join(root, 'redis'), 'redis-cli', 'redis-cli 8.6.3');
  fakeBin(join(root, 'valkey'), 'valkey-server', 'Valkey server v=9.1.2 sha=f5adcf9d:0 malloc=jemalloc-5.3.0 bits=64 build=2');
  fakeBin(join(root, 'valkey'), 'valkey-cli', 'valkey-cli 9.1.2');
  fakeBin(join(root, 'nocli'), 'valkey-server', 'Valkey server v=9.1.2');
  fakeBin(join(root, 'mute'), 'redis-server', 'hello');
  fakeBin(join(root, 'mute'), 'redis-cli', 'hello');
  mkdirSync(join(root, 'empty'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('server binary selection', () => {
  it('parses redis and valkey --version lines', async () => {
    const { parseServerVersion } = await lib();
    expect(parseServerVersion('Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0')).toEqual({ flavour: 'redis', version: '7.0.15', major: 7 });
    expect(parseServerVersion('Valkey server v=9.1.2 sha=x')).toEqual({ flavour: 'valkey', version: '9.1.2', major: 9 });
    expect(parseServerVersion('KeyDB server v=6.3.4')).toEqual({ flavour: 'unknown', version: '6.3.4', major: 6 });
    expect(parseServerVersion('')).toEqual({ flavour: 'unknown', version: 'unknown', major: 0 });
  });

  it('finds redis-* or valkey-* in a folder, with the matching cli and its version', async () => {
    const { serverFromDir } = await lib();
    expect(serverFromDir(join(root, 'redis'))).toEqual({
      redisServer: join(root, 'redis', 'redis-server'),
      redisCli: join(root, 'redis', 'redis-cli'),
      binDir: join(root, 'redis'),
      flavour: 'redis',
      version: '8.6.3',
      major: 8,
    });
    expect(serverFromDir(join(root, 'valkey'))).toMatchObject({ redisServer: join(root, 'valkey', 'valkey-server'), redisCli: join(root, 'valkey', 'valkey-cli'), flavour: 'valkey', major: 9 });
  });

  it('fails loudly: missing folder, no server, server without its cli, a binary that prints no version', async () => {
    const { serverFromDir } = await lib();
    expect(() => serverFromDir(join(root, 'nope'))).toThrow(/NRC_REDIS_BIN_DIR=.*is not a directory/);
    expect(() => serverFromDir(join(root, 'empty'))).toThrow(/no executable redis-server or valkey-server/);
    expect(() => serverFromDir(join(root, 'nocli'))).toThrow(/found valkey-server but no executable valkey-cli/);
    expect(() => serverFromDir(join(root, 'mute'))).toThrow(/did not print a server version/);
  });

  it('ensureRedis() takes NRC_REDIS_BIN_DIR when set, and never falls back to PATH when it is wrong', async () => {
    const { ensureRedis, serverBinDirFromEnv, SERVER_BIN_DIR_ENV } = await lib();
    expect(SERVER_BIN_DIR_ENV).toBe('NRC_REDIS_BIN_DIR');
    expect(serverBinDirFromEnv({})).toBeUndefined();
    expect(serverBinDirFromEnv({ NRC_REDIS_BIN_DIR: ' ' })).toBeUndefined();
    const saved = process.env.NRC_REDIS_BIN_DIR;
    try {
      process.env.NRC_REDIS_BIN_DIR = join(root, 'valkey');
      await expect(ensureRedis({ log: () => undefined })).resolves.toMatchObject({ flavour: 'valkey', version: '9.1.2', installed: false, binDir: join(root, 'valkey') });
      process.env.NRC_REDIS_BIN_DIR = join(root, 'empty');
      await expect(ensureRedis({ log: () => undefined })).rejects.toThrow(/no executable/);
    } finally {
      if (saved === undefined) delete process.env.NRC_REDIS_BIN_DIR;
      else process.env.NRC_REDIS_BIN_DIR = saved;
    }
  });

  it('recognises both servers when checking a PID before signalling it', async () => {
    const { isServerExecutable } = await lib();
    expect(isServerExecutable('/usr/bin/redis-server')).toBe(true);
    expect(isServerExecutable('/x/valkey-9.1.2/bin/valkey-server')).toBe(true);
    expect(isServerExecutable('valkey-server 127.0.0.1:31251 [cluster]')).toBe(true);
    expect(isServerExecutable('/usr/bin/redis-cli')).toBe(false);
    expect(isServerExecutable('node jest')).toBe(false);
  });
});
