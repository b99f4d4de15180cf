import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandDefinition } from '../../../lib/engine/commands/command-definition.js';
import { createRequire } from 'node:module';
import { commandInfo, commandPolicy } from '../../../lib/engine/commands/command-info.js';
import { clusterRoute, SPLIT_COMMANDS } from '../../../lib/engine/cluster/policy-router.js';

const require = createRequire(import.meta.url);
import {
  COMMAND_FAMILIES,
  COMMANDS,
  installCommands,
  type CommandMethods,
  type CommandName,
  type QueuedCommandMethods,
} from '../../../lib/engine/commands/commands.js';
import { keySlot } from '../../../lib/engine/commands/key-slot.js';
import type { RedisArgument } from '../../../lib/engine/resp/types.js';

const A = '{k}a';
const B = '{k}b';
const C = '{k}c';
const m = { value: 'm', score: 1 };
const geo = { longitude: 1, latitude: 2, member: 'm' };

/** One representative call per command; keys are `{k}…`, nothing else starts with `{k}`. */
const SAMPLES: { [K in CommandName]: Parameters<CommandMethods[K]> } = {
  get: [A], set: [A, 'v', { EX: 1 }], getDel: [A], getEx: [A, { PERSIST: true }], getRange: [A, 0, 1],
  setRange: [A, 0, 'v'], append: [A, 'v'], strLen: [A], incr: [A], incrBy: [A, 2], incrByFloat: [A, 0.5],
  decr: [A], decrBy: [A, 2], mGet: [[A, B]], mSet: [{ [A]: '1', [B]: '2' }], mSetNX: [[A, '1', B, '2']],
  setNX: [A, 'v'], setEx: [A, 1, 'v'], pSetEx: [A, 1, 'v'], lcs: [A, B],
  setBit: [A, 1, 1], getBit: [A, 1], bitCount: [A], bitPos: [A, 1], bitOp: ['OR', A, [B, C]],
  bitField: [A, [{ operation: 'GET', encoding: 'u8', offset: 0 }]], bitFieldRo: [A, [{ encoding: 'u8', offset: 0 }]],
  del: [[A, B]], unlink: [A], exists: [[A, B]], touch: [A], expire: [A, 1], pExpire: [A, 1], expireAt: [A, 1],
  pExpireAt: [A, 1], expireTime: [A], pExpireTime: [A], ttl: [A], pTTL: [A], persist: [A], type: [A],
  rename: [A, B], renameNX: [A, B], copy: [A, B], dump: [A], restore: [A, 0, 'payload'],
  objectEncoding: [A], objectFreq: [A], objectIdleTime: [A], scan: ['0', { MATCH: '*' }],
  hSet: [A, 'f', 'v'], hGet: [A, 'f'], hGetAll: [A], hmGet: [A, ['f']], hDel: [A, 'f'], hExists: [A, 'f'],
  hIncrBy: [A, 'f', 1], hIncrByFloat: [A, 'f', 1], hKeys: [A], hVals: [A], hLen: [A], hSetNX: [A, 'f', 'v'],
  hStrLen: [A, 'f'], hRandField: [A], hRandFieldCount: [A, 1], hRandFieldCountWithValues: [A, 1], hScan: [A, '0'],
  hGetEx: [A, ['f'], { expiration: { type: 'EX', value: 1 } }], hSetEx: [A, { f: 'v' }, { mode: 'FNX' }], hGetDel: [A, 'f'],
  hExpire: [A, 'f', 1, 'NX'], hpExpire: [A, ['f'], 1], hExpireAt: [A, 'f', 1], hpExpireAt: [A, 'f', new Date(1)],
  hTTL: [A, 'f'], hpTTL: [A, 'f'], hExpireTime: [A, 'f'], hpExpireTime: [A, 'f'], hPersist: [A, 'f'],
  lPush: [A, 'e'], rPush: [A, ['e']], lPushX: [A, 'e'], rPushX: [A, 'e'], lPop: [A], rPop: [A], lPopCount: [A, 2],
  rPopCount: [A, 2], lRange: [A, 0, -1], lLen: [A], lIndex: [A, 0], lSet: [A, 0, 'e'], lInsert: [A, 'AFTER', 'p', 'e'],
  lRem: [A, 0, 'e'], lTrim: [A, 0, 1], lPos: [A, 'e'], lPosCount: [A, 'e', 0], lMove: [A, B, 'LEFT', 'RIGHT'],
  rPopLPush: [A, B], lmPop: [[A, B], 'LEFT'], blPop: [[A, B], 0], brPop: [A, 0], blMove: [A, B, 'LEFT', 'LEFT', 0],
  blmPop: [0, [A, B], 'RIGHT'], brPopLPush: [A, B, 0],
  sAdd: [A, 'm'], sRem: [A, 'm'], sMembers: [A], sIsMember: [A, 'm'], smIsMember: [A, ['m']], sCard: [A], sPop: [A],
  sPopCount: [A, 1], sRandMember: [A], sRandMemberCount: [A, 1], sMove: [A, B, 'm'], sInter: [[A, B]],
  sInterCard: [[A, B]], sInterStore: [A, [B, C]], sUnion: [[A, B]], sUnionStore: [A, B], sDiff: [[A, B]],
  sDiffStore: [A, [B, C]], sScan: [A, '0'],
  zAdd: [A, m], zAddIncr: [A, m], zIncrBy: [A, 1, 'm'], zScore: [A, 'm'], zmScore: [A, ['m']], zRank: [A, 'm'],
  zRevRank: [A, 'm'], zRankWithScore: [A, 'm'], zRevRankWithScore: [A, 'm'], zCard: [A], zCount: [A, 0, 1],
  zLexCount: [A, '-', '+'], zRem: [A, 'm'], zRemRangeByScore: [A, 0, 1], zRemRangeByRank: [A, 0, 1],
  zRemRangeByLex: [A, '-', '+'], zRandMember: [A], zRandMemberCount: [A, 1], zRandMemberCountWithScores: [A, 1],
  zScan: [A, '0'], zRange: [A, 0, -1], zRangeWithScores: [A, 0, -1], zRangeByScore: [A, 0, 1],
  zRangeByScoreWithScores: [A, 0, 1], zPopMin: [A], zPopMax: [A], zPopMinCount: [A, 1], zPopMaxCount: [A, 1],
  bzPopMin: [[A, B], 0], bzPopMax: [A, 0], zmPop: [[A, B], 'MIN'], bzmPop: [0, A, 'MAX'], zUnionStore: [A, [B, C]],
  zInterStore: [A, [{ key: B, weight: 1 }, { key: C, weight: 2 }]], zDiff: [[A, B]], zDiffWithScores: [[A, B]],
  xAdd: [A, '*', { f: 'v' }], xAddNoMkStream: [A, '*', { f: 'v' }], xLen: [A], xRange: [A, '-', '+'],
  xRevRange: [A, '+', '-'], xRead: [[{ key: A, id: '0' }, { key: B, id: '0' }]], xDel: [A, '1-0'],
  xTrim: [A, 'MAXLEN', 1], xReadGroup: ['g', 'c', { key: A, id: '>' }], xAck: [A, 'g', '1-0'],
  xGroupCreate: [A, 'g', '$'], xGroupDestroy: [A, 'g'], xGroupCreateConsumer: [A, 'g', 'c'],
  xGroupDelConsumer: [A, 'g', 'c'], xGroupSetId: [A, 'g', '$'], xPending: [A, 'g'],
  xPendingRange: [A, 'g', '-', '+', 1], xClaim: [A, 'g', 'c', 0, '1-0'], xClaimJustId: [A, 'g', 'c', 0, ['1-0']],
  xAutoClaim: [A, 'g', 'c', 0, '0-0'], xAutoClaimJustId: [A, 'g', 'c', 0, '0-0'], xInfoStream: [A],
  xInfoGroups: [A], xInfoConsumers: [A, 'g'],
  pfAdd: [A, 'e'], pfCount: [[A, B]], pfMerge: [A, [B, C]],
  geoAdd: [A, geo], geoDist: [A, 'm', 'n'], geoPos: [A, 'm'], geoHash: [A, ['m']],
  geoSearch: [A, 'm', { radius: 1, unit: 'km' }], geoSearchStore: [A, B, 'm', { radius: 1, unit: 'km' }],
  eval: ['return 1', { keys: [A, B] }], evalSha: ['sha', { keys: [A] }], evalRo: ['return 1', { keys: [A] }],
  evalShaRo: ['sha', { keys: [A] }], fCall: ['fn', { keys: [A] }], fCallRo: ['fn', { keys: [A] }],
  scriptLoad: ['return 1'], scriptExists: ['sha'], scriptFlush: [], functionLoad: ['code'], functionDelete: ['lib'],
  functionList: [], functionFlush: [], functionDump: [], functionRestore: ['payload', 'REPLACE'],
  configSet: [{ hz: '10', 'maxmemory-policy': 'noeviction' }], configGet: ['hz'], ping: [], echo: ['x'], dbSize: [], flushAll: [], flushDb: [], info: [],
  time: [], publish: ['ch', 'x'], sPublish: [A, 'x'],
};

function build(name: CommandName, args: readonly unknown[]): RedisArgument[] {
  return (COMMANDS[name] as unknown as CommandDefinition).build(...args);
}

describe('COMMANDS', () => {
  it('is the union of the families, without duplicate names', () => {
    const families = Object.values(COMMAND_FAMILIES);
    const total = families.reduce((n, family) => n + Object.keys(family).length, 0);
    expect(Object.keys(COMMANDS)).toHaveLength(total);
    expect(total).toBeGreaterThan(190);
  });

  it('every command builds an argv the command table knows, with keys at the right positions', () => {
    for (const name of Object.keys(COMMANDS) as CommandName[]) {
      const args = build(name, SAMPLES[name]);
      expect(typeof args[0]).toBe('string');
      expect(args[0]).toBe((args[0] as string).toUpperCase());
      const info = commandInfo(args);
      const keyArgs = args.filter((a) => typeof a === 'string' && a.startsWith('{k}'));
      expect([name, info.known, info.keys]).toEqual([name, true, keyArgs]);
    }
  });

  it('only split-safe multi-key commands are split: the multi_shard key lists of the command table', () => {
    const multiShard = Object.keys(require('@ioredis/commands/built/commands.json') as Record<string, unknown>)
      .map((name) => name.toUpperCase())
      .filter((name) => commandPolicy([name])?.request === 'multi_shard');
    // MSETEX (numkeys then movable keys) is the one multi_shard command left unsplit.
    expect(multiShard.filter((name) => !SPLIT_COMMANDS.includes(name))).toEqual(['MSETEX']);
    const split = (['del', 'exists', 'mGet', 'mSet', 'touch', 'unlink'] as const).map((name) => {
      const route = clusterRoute((COMMANDS[name] as unknown as CommandDefinition).build(['a', 'b']));
      return [name, route?.kind === 'split' ? [route.split, route.step] : route];
    });
    expect(split).toEqual([
      ['del', ['sum', 1]],
      ['exists', ['sum', 1]],
      ['mGet', ['concat', 1]],
      ['mSet', ['all-ok', 2]],
      ['touch', ['sum', 1]],
      ['unlink', ['sum', 1]],
    ]);
  });

  it('split commands have one key per step after the name', () => {
    for (const [name, args] of [
      ['mGet', [[A, 'x', 'y']]],
      ['mSet', [['x', '1', 'y', '2', A, '3']]],
      ['del', [['x', 'y', A]]],
    ] as const) {
      const def = COMMANDS[name] as unknown as CommandDefinition;
      const argv = def.build(...args);
      const route = clusterRoute(argv);
      const step = route?.kind === 'split' ? route.step : NaN;
      const keys = commandInfo(argv).keys;
      const rest = argv.slice(1);
      expect(keys).toEqual(rest.filter((_, i) => i % step === 0));
    }
  });

  it('only DUMP and FUNCTION DUMP (binary payloads) ask for Buffers', () => {
    const buffers = Object.entries(COMMANDS)
      .filter(([, def]) => (def as CommandDefinition).buffers)
      .map(([name]) => name);
    expect(buffers.sort()).toEqual(['dump', 'functionDump']);
  });

  it('every definition has a one-line TSDoc naming its Redis command', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const dir = join(here, '../../../lib/engine/commands/families');
    let seen = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const lines = readFileSync(join(dir, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        const match = /^\s+(\w+): defineCommand\(/.exec(line);
        if (!match) return;
        seen++;
        const doc = lines[i - 1] ?? '';
        expect([file, match[1], /^\s+\/\*\* [A-Z][A-Z_]+( [A-Z…]+)*.*\*\/$/.test(doc)]).toEqual([file, match[1], true]);
      });
    }
    expect(seen).toBe(Object.keys(COMMANDS).length);
  });
});

describe('installCommands', () => {
  class Client {
    readonly calls: Array<[string, unknown[]]> = [];
    execute(def: CommandDefinition, args: unknown[]): Promise<unknown> {
      const argv = def.build(...args);
      this.calls.push([String(argv[0]), args]);
      return Promise.resolve(argv);
    }
    /** A class's own method wins over the installed one. */
    ping(): Promise<string> {
      return Promise.resolve('own');
    }
  }
  interface Client extends Omit<CommandMethods, 'ping'> {}
  installCommands(Client.prototype, function (this: unknown, def, args) {
    return (this as Client).execute(def, args);
  });

  it('installs every command as a non-enumerable method calling invoke with this', async () => {
    const client = new Client();
    await expect(client.get('k')).resolves.toEqual(['GET', 'k']);
    await expect(client.hSet('h', { a: '1' })).resolves.toEqual(['HSET', 'h', 'a', '1']);
    expect(client.calls).toEqual([
      ['GET', ['k']],
      ['HSET', ['h', { a: '1' }]],
    ]);
    expect(Object.keys(Client.prototype)).toEqual([]);
    expect(client.zRangeWithScores.name).toBe('zRangeWithScores');
    for (const name of Object.keys(COMMANDS)) {
      expect([name, typeof (Client.prototype as unknown as Record<string, unknown>)[name]]).toEqual([name, 'function']);
    }
  });

  it('keeps methods the prototype already defines', async () => {
    await expect(new Client().ping()).resolves.toBe('own');
  });

  it('supports builders that return themselves', () => {
    class Pipeline {
      readonly queued: RedisArgument[][] = [];
    }
    interface Pipeline extends QueuedCommandMethods<Pipeline> {}
    installCommands(Pipeline.prototype, function (this: unknown, def, args) {
      (this as Pipeline).queued.push(def.build(...args));
      return this;
    });
    const p = new Pipeline();
    expect(p.set('a', '1').incr('b').mGet(['a', 'b'])).toBe(p);
    expect(p.queued).toEqual([['SET', 'a', '1'], ['INCR', 'b'], ['MGET', 'a', 'b']]);
  });
});

describe('sample keys share one slot', () => {
  it('uses a hash tag so atomic multi-key samples are valid in a cluster', () => {
    expect(keySlot(A)).toBe(keySlot(B));
    expect(keySlot(B)).toBe(keySlot(C));
  });
});
