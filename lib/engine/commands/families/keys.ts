import { defineCommand } from '../command-definition.js';
import type { RedisArgument, RespValue } from '../../resp/types.js';
import { passThrough, scanParts, text } from '../transforms.js';
import {
  pushScanArguments,
  pushVariadic,
  unixMilliseconds,
  unixSeconds,
  type ScanCommonOptions,
  type VariadicArgument,
} from './arguments.js';

/** EXPIRE-family condition: only if no expiry (NX), has one (XX), new > current (GT), new < current (LT). */
export type ExpireMode = 'NX' | 'XX' | 'GT' | 'LT';

/** COPY options. */
export interface CopyCommandOptions {
  /** Destination database (standalone servers only; a cluster has database 0 only). */
  DB?: number;
  /** Overwrite the destination. */
  REPLACE?: boolean;
}

/** RESTORE options. */
export interface RestoreOptions {
  /** Overwrite an existing key. */
  REPLACE?: boolean;
  /** `ttl` is an absolute Unix time in milliseconds. */
  ABSTTL?: boolean;
  /** Idle time in seconds (LRU). */
  IDLETIME?: number;
  /** Access frequency (LFU). */
  FREQ?: number;
}

/** SCAN options. */
export interface ScanOptions extends ScanCommonOptions {
  /** Only keys of this type (`string`, `hash`, `list`, `set`, `zset`, `stream`, …). */
  TYPE?: RedisArgument;
}

/** SCAN reply: the next cursor (`'0'` when done) and a batch of key names. */
export interface ScanReply {
  cursor: string;
  keys: string[];
}

function scanReply(reply: RespValue): ScanReply {
  const { cursor, items } = scanParts(reply);
  return { cursor, keys: items.map(text) };
}

export const KEY_COMMANDS = {
  /** DEL: deletes keys; how many existed. Split per slot in a cluster (counts summed). */
  del: defineCommand({
    build: (keys: VariadicArgument) => pushVariadic(['DEL'], keys),
    transform: passThrough<number>(),
  }),
  /** UNLINK: deletes keys, reclaiming memory in the background; how many existed. Split per slot. */
  unlink: defineCommand({
    build: (keys: VariadicArgument) => pushVariadic(['UNLINK'], keys),
    transform: passThrough<number>(),
  }),
  /** EXISTS: how many of `keys` exist (a key named twice counts twice). Split per slot. */
  exists: defineCommand({
    build: (keys: VariadicArgument) => pushVariadic(['EXISTS'], keys),
    transform: passThrough<number>(),
  }),
  /** TOUCH: updates last access time; how many of `keys` exist. Split per slot. */
  touch: defineCommand({
    build: (keys: VariadicArgument) => pushVariadic(['TOUCH'], keys),
    transform: passThrough<number>(),
  }),
  /** EXPIRE: sets a time to live of `seconds`; 1 if set, 0 if the key is missing or `mode` refused. */
  expire: defineCommand({
    build: (key: RedisArgument, seconds: number, mode?: ExpireMode) => {
      const argv: RedisArgument[] = ['EXPIRE', key, seconds];
      if (mode) argv.push(mode);
      return argv;
    },
    transform: passThrough<number>(),
  }),
  /** PEXPIRE: sets a time to live of `ms` milliseconds; 1 if set, 0 otherwise. */
  pExpire: defineCommand({
    build: (key: RedisArgument, ms: number, mode?: ExpireMode) => {
      const argv: RedisArgument[] = ['PEXPIRE', key, ms];
      if (mode) argv.push(mode);
      return argv;
    },
    transform: passThrough<number>(),
  }),
  /** EXPIREAT: expires at a Unix time in seconds (or a Date); 1 if set, 0 otherwise. */
  expireAt: defineCommand({
    build: (key: RedisArgument, timestamp: number | Date, mode?: ExpireMode) => {
      const argv: RedisArgument[] = ['EXPIREAT', key, unixSeconds(timestamp)];
      if (mode) argv.push(mode);
      return argv;
    },
    transform: passThrough<number>(),
  }),
  /** PEXPIREAT: expires at a Unix time in milliseconds (or a Date); 1 if set, 0 otherwise. */
  pExpireAt: defineCommand({
    build: (key: RedisArgument, msTimestamp: number | Date, mode?: ExpireMode) => {
      const argv: RedisArgument[] = ['PEXPIREAT', key, unixMilliseconds(msTimestamp)];
      if (mode) argv.push(mode);
      return argv;
    },
    transform: passThrough<number>(),
  }),
  /** EXPIRETIME: the expiry as a Unix time in seconds; -1 without expiry, -2 when missing. */
  expireTime: defineCommand({
    build: (key: RedisArgument) => ['EXPIRETIME', key],
    transform: passThrough<number>(),
  }),
  /** PEXPIRETIME: the expiry as a Unix time in milliseconds; -1 without expiry, -2 when missing. */
  pExpireTime: defineCommand({
    build: (key: RedisArgument) => ['PEXPIRETIME', key],
    transform: passThrough<number>(),
  }),
  /** TTL: remaining time to live in seconds; -1 without expiry, -2 when missing. */
  ttl: defineCommand({
    build: (key: RedisArgument) => ['TTL', key],
    transform: passThrough<number>(),
  }),
  /** PTTL: remaining time to live in milliseconds; -1 without expiry, -2 when missing. */
  pTTL: defineCommand({
    build: (key: RedisArgument) => ['PTTL', key],
    transform: passThrough<number>(),
  }),
  /** PERSIST: removes the expiry; 1 if removed, 0 otherwise. */
  persist: defineCommand({
    build: (key: RedisArgument) => ['PERSIST', key],
    transform: passThrough<number>(),
  }),
  /** TYPE: the type of the value at `key` (`string`, `list`, …, or `none`). */
  type: defineCommand({
    build: (key: RedisArgument) => ['TYPE', key],
    transform: passThrough<string>(),
  }),
  /** RENAME: renames `key` to `newKey` (same slot); `'OK'`. */
  rename: defineCommand({
    build: (key: RedisArgument, newKey: RedisArgument) => ['RENAME', key, newKey],
    transform: passThrough<'OK'>(),
  }),
  /** RENAMENX: renames only if `newKey` does not exist (same slot); 1 if renamed, 0 otherwise. */
  renameNX: defineCommand({
    build: (key: RedisArgument, newKey: RedisArgument) => ['RENAMENX', key, newKey],
    transform: passThrough<number>(),
  }),
  /** COPY: copies `source` to `destination` (same slot); 1 if copied, 0 otherwise. */
  copy: defineCommand({
    build: (source: RedisArgument, destination: RedisArgument, options?: CopyCommandOptions) => {
      const argv: RedisArgument[] = ['COPY', source, destination];
      if (options?.DB !== undefined) argv.push('DB', options.DB);
      if (options?.REPLACE) argv.push('REPLACE');
      return argv;
    },
    transform: passThrough<number>(),
  }),
  /** DUMP: the serialized value as a Buffer (binary-safe, for RESTORE), or null when missing. */
  dump: defineCommand({
    build: (key: RedisArgument) => ['DUMP', key],
    transform: passThrough<Buffer | null>(),
    buffers: true,
  }),
  /** RESTORE: creates `key` from a DUMP payload with `ttl` in ms (0: none); `'OK'`. */
  restore: defineCommand({
    build: (key: RedisArgument, ttl: number, serializedValue: RedisArgument, options?: RestoreOptions) => {
      const argv: RedisArgument[] = ['RESTORE', key, ttl, serializedValue];
      if (options?.REPLACE) argv.push('REPLACE');
      if (options?.ABSTTL) argv.push('ABSTTL');
      if (options?.IDLETIME !== undefined) argv.push('IDLETIME', options.IDLETIME);
      if (options?.FREQ !== undefined) argv.push('FREQ', options.FREQ);
      return argv;
    },
    transform: passThrough<'OK'>(),
  }),
  /** OBJECT ENCODING: the internal encoding of the value (`listpack`, `hashtable`, …), or null. */
  objectEncoding: defineCommand({
    build: (key: RedisArgument) => ['OBJECT', 'ENCODING', key],
    transform: passThrough<string | null>(),
  }),
  /** OBJECT FREQ: the LFU access frequency counter (needs an LFU maxmemory-policy), or null. */
  objectFreq: defineCommand({
    build: (key: RedisArgument) => ['OBJECT', 'FREQ', key],
    transform: passThrough<number | null>(),
  }),
  /** OBJECT IDLETIME: seconds since the last access (needs an LRU policy), or null. */
  objectIdleTime: defineCommand({
    build: (key: RedisArgument) => ['OBJECT', 'IDLETIME', key],
    transform: passThrough<number | null>(),
  }),
  /** SCAN: one step on one node (`{ cursor, keys }`, from and to `'0'`); refused on the cluster client: use scanIterator() or nodeClient(node).scan(). */
  scan: defineCommand({
    build: (cursor: RedisArgument, options?: ScanOptions) => {
      const argv = pushScanArguments(['SCAN'], cursor, options);
      if (options?.TYPE) argv.push('TYPE', options.TYPE);
      return argv;
    },
    transform: scanReply,
  }),
};
