import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { aggregateReplies } from '../../../lib/engine/cluster/policy-aggregate.js';
import { clusterRoute, executeFanOut, type FanOutHost } from '../../../lib/engine/cluster/policy-router.js';
import { Topology, type ClusterNodeInfo } from '../../../lib/engine/cluster/topology.js';
import { NodeFanOutError } from '../../../lib/engine/errors/fan-out.error.js';
import { UnsupportedCommandError } from '../../../lib/engine/errors/base.error.js';
import { ReplyError } from '../../../lib/engine/errors/reply.error.js';
import type { RedisArgument, RespValue } from '../../../lib/engine/resp/types.js';

function node(port: number, role: 'master' | 'replica'): ClusterNodeInfo {
  return { address: `127.0.0.1:${port}`, host: '127.0.0.1', port, role };
}
const topology = new Topology([
  { master: node(1, 'master'), replicas: [node(11, 'replica')], ranges: [[0, 5460]] },
  { master: node(2, 'master'), replicas: [node(12, 'replica')], ranges: [[5461, 10922]] },
  { master: node(3, 'master'), replicas: [node(13, 'replica')], ranges: [[10923, 16383]] },
]);

function host(reply: (node: ClusterNodeInfo, argv: readonly RedisArgument[]) => RespValue | Error): FanOutHost & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    topology: () => Promise.resolve(topology),
    send: (target, argv) => {
      sent.push(target.address);
      const r = reply(target, argv);
      return r instanceof Error ? Promise.reject(r) : Promise.resolve(r);
    },
  };
}

async function fanOut(argv: RedisArgument[], h: FanOutHost): Promise<RespValue> {
  const route = clusterRoute(argv);
  if (route?.kind !== 'fan-out') throw new Error(`${String(argv[0])} is not fanned out`);
  return executeFanOut(h, argv, route);
}

describe('clusterRoute: by the command table request policy', () => {
  it.each([
    [['FLUSHALL'], false],
    [['flushdb', 'ASYNC'], false],
    [['DBSIZE'], false],
    [['KEYS', '*'], false],
    [['RANDOMKEY'], false],
    [['SCRIPT', 'EXISTS', 'x'], false],
    [['script', 'load', 'return 1'], true],
    [['SCRIPT', 'FLUSH'], true],
    [['FUNCTION', 'LOAD', 'x'], false],
    [['FUNCTION', 'DELETE', 'x'], false],
    [['FUNCTION', 'FLUSH'], false],
    [['FUNCTION', 'RESTORE', 'x'], false],
    [['CONFIG', 'SET', 'x', 'y'], true],
    [[Buffer.from('FLUSHALL')], false],
    [[Buffer.from('SCRIPT'), Buffer.from('LOAD'), 'x'], true],
  ])('%j reaches every master%s', (argv, replicas) => {
    expect(clusterRoute(argv)).toMatchObject({ kind: 'fan-out', replicas });
  });

  it.each([[['GET', 'k']], [['PING']], [['INFO']], [['CLIENT', 'SETNAME', 'x']], [['MEMORY', 'STATS']], [['FUNCTION', 'STATS']], [['MSETEX', 2, 'a', '1', 'b', '2']], [['EVAL', 's', 0]]])('%j stays on one node', (argv) => {
    expect(clusterRoute(argv)).toBeUndefined();
  });

  it.each([
    [['MGET', 'a', 'b'], 'concat', 1],
    [['del', 'a'], 'sum', 1],
    [[Buffer.from('UNLINK'), 'a', 'b'], 'sum', 1],
    [['MSET', 'a', '1', 'b', '2'], 'all-ok', 2],
  ])('%j is split per slot (%s, step %d)', (argv, split, step) => {
    expect(clusterRoute(argv as RedisArgument[])).toEqual({ kind: 'split', split, step });
  });

  it('refuses a keyless WAIT/WAITAOF and a cluster SCAN with a typed error naming the API to use', () => {
    for (const [argv, hint] of [[['WAIT', 1, 100], /waitReplicas/], [['waitaof', 1, 0, 100], /waitAof/], [['SCAN', 0], /scanIterator/]] as const) {
      const route = clusterRoute(argv as unknown as RedisArgument[]);
      expect(route?.kind).toBe('refuse');
      const error = (route as { error: Error }).error;
      expect(error).toBeInstanceOf(UnsupportedCommandError);
      expect(error.message).toMatch(hint);
    }
  });

  it('never throws, whatever argv holds', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.string(), fc.integer(), fc.constantFrom('SCRIPT', 'FUNCTION', 'CONFIG', 'flushall'))), (argv) => {
      expect(() => clusterRoute(argv)).not.toThrow();
    }));
  });
});

describe('executeFanOut', () => {
  it('FLUSHALL: every master once, OK when all succeed', async () => {
    const h = host(() => 'OK');
    expect(await fanOut(['FLUSHALL'], h)).toBe('OK');
    expect(h.sent.sort()).toEqual(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3']);
  });

  it('SCRIPT LOAD: masters and replicas', async () => {
    const h = host(() => 'sha');
    expect(await fanOut(['SCRIPT', 'LOAD', 'return 1'], h)).toBe('sha');
    expect(h.sent).toHaveLength(6);
  });

  it('DBSIZE is the sum; KEYS the concatenation; SCRIPT EXISTS the element-wise AND', async () => {
    expect(await fanOut(['DBSIZE'], host((n) => n.port * 10))).toBe(60);
    expect(await fanOut(['KEYS', '*'], host((n) => [`k${n.port}`]))).toEqual(['k1', 'k2', 'k3']);
    expect(await fanOut(['SCRIPT', 'EXISTS', 'a', 'b'], host((n) => [1, n.port === 2 ? 0 : 1]))).toEqual([1, 0]);
  });

  it('RANDOMKEY: a key from a shard that has one', async () => {
    expect(await fanOut(['RANDOMKEY'], host((n) => (n.port === 3 ? 'only' : null)))).toBe('only');
    expect(await fanOut(['RANDOMKEY'], host(() => null))).toBeNull();
  });

  it('a failure on one node rejects with NodeFanOutError listing every node', async () => {
    const error = await fanOut(['FLUSHALL'], host((n) => (n.port === 2 ? new ReplyError('READONLY You can\'t write against a read only replica.') : 'OK'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeFanOutError);
    const fan = error as NodeFanOutError;
    expect(fan.command).toBe('FLUSHALL');
    expect(fan.outcomes.map((o) => [o.address, o.status])).toEqual([
      ['127.0.0.1:1', 'fulfilled'],
      ['127.0.0.1:2', 'rejected'],
      ['127.0.0.1:3', 'fulfilled'],
    ]);
    expect(fan.message).toContain('127.0.0.1:2');
  });

  it('one_succeeded (SCRIPT KILL) needs one success only', async () => {
    expect(await fanOut(['SCRIPT', 'KILL'], host((n) => (n.port === 1 ? 'OK' : new ReplyError('NOTBUSY No scripts in execution right now.'))))).toBe('OK');
    await expect(fanOut(['SCRIPT', 'KILL'], host(() => new ReplyError('NOTBUSY x')))).rejects.toBeInstanceOf(NodeFanOutError);
  });
});

describe('aggregateReplies', () => {
  it('agg_min / agg_max element by element (WAITAOF)', () => {
    expect(aggregateReplies('WAITAOF', 'agg_min', [[1, 2], [0, 3]])).toEqual([0, 2]);
    expect(aggregateReplies('X', 'agg_max', [4, 9, 2])).toBe(9);
    expect(aggregateReplies('X', 'agg_logical_or', [false, true])).toBe(true);
  });

  it('refuses to combine replies of different shapes', () => {
    expect(() => aggregateReplies('DBSIZE', 'agg_sum', [1, 'x'])).toThrow(ReplyError);
    expect(() => aggregateReplies('X', 'agg_min', [[1], [1, 2]])).toThrow(ReplyError);
  });

  it('agg_sum is the sum of any integers', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1 }), (counts) => {
      expect(aggregateReplies('DBSIZE', 'agg_sum', counts)).toBe(counts.reduce((a, b) => a + b, 0));
    }));
  });
});
