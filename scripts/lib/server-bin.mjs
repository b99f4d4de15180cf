// Which server binaries the harness runs: Debian's redis-server on PATH by default, or the pair found in
// NRC_REDIS_BIN_DIR (redis-server + redis-cli, or valkey-server + valkey-cli), e.g. ../shared/servers/redis-8.6.3/bin.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HarnessError } from './util.mjs';

/** The environment variable naming a folder that holds the server and cli binaries to test against. */
export const SERVER_BIN_DIR_ENV = 'NRC_REDIS_BIN_DIR';

/** Server/cli binary names per flavour, in the order they are looked for. */
const FLAVOURS = [
  { flavour: 'redis', server: 'redis-server', cli: 'redis-cli' },
  { flavour: 'valkey', server: 'valkey-server', cli: 'valkey-cli' },
];

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Parses `<server> --version` output: "Redis server v=8.6.3 ..." or "Valkey server v=9.1.2 ...".
 * Returns { flavour: 'redis' | 'valkey' | 'unknown', version: 'x.y.z' | 'unknown', major: number }.
 */
export function parseServerVersion(text) {
  const m = /^(\w+) server v=(\d+)\.(\d+)\.(\d+)/m.exec(String(text));
  if (!m) return { flavour: 'unknown', version: 'unknown', major: 0 };
  const name = m[1].toLowerCase();
  return { flavour: name === 'valkey' ? 'valkey' : name === 'redis' ? 'redis' : 'unknown', version: `${m[2]}.${m[3]}.${m[4]}`, major: Number(m[2]) };
}

/** Runs `<bin> --version` and parses it (see parseServerVersion). */
export function serverVersion(bin) {
  const out = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return parseServerVersion(out.stdout ?? '');
}

/**
 * The server binaries in `dir` (absolute, or relative to the current directory): redis-server + redis-cli, or
 * valkey-server + valkey-cli. Throws a HarnessError naming what is missing. Returns
 * { redisServer, redisCli, flavour, version, major, binDir }.
 */
export function serverFromDir(dir) {
  const binDir = resolve(dir);
  let isDir = false;
  try {
    isDir = statSync(binDir).isDirectory();
  } catch {
    /* missing */
  }
  if (!isDir) throw new HarnessError(`${SERVER_BIN_DIR_ENV}=${dir}: ${binDir} is not a directory`);
  for (const f of FLAVOURS) {
    const server = join(binDir, f.server);
    if (!executable(server)) continue;
    const cli = join(binDir, f.cli);
    if (!executable(cli)) throw new HarnessError(`${SERVER_BIN_DIR_ENV}=${dir}: found ${f.server} but no executable ${f.cli} beside it`);
    const v = serverVersion(server);
    if (v.version === 'unknown') throw new HarnessError(`${SERVER_BIN_DIR_ENV}=${dir}: ${server} --version did not print a server version`);
    return { redisServer: server, redisCli: cli, binDir, ...v };
  }
  throw new HarnessError(
    `${SERVER_BIN_DIR_ENV}=${dir}: no executable ${FLAVOURS.map((f) => f.server).join(' or ')} in ${binDir}`,
  );
}

/** The folder named by NRC_REDIS_BIN_DIR, or undefined when it is unset or empty. */
export function serverBinDirFromEnv(env = process.env) {
  const v = env[SERVER_BIN_DIR_ENV];
  return v === undefined || v.trim() === '' ? undefined : v;
}

/** True for the executable path or command line of a redis-server or valkey-server (or their check tools). */
export function isServerExecutable(text) {
  return /(redis|valkey)-(server|check)/.test(String(text));
}
