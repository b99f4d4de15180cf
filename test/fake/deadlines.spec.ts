// One absolute deadline per user call, on every path of the cluster layer: the lazy connect, COMMAND
// GETKEYS, NOSCRIPT -> EVAL, MOVED/ASK chains, TRYAGAIN/CLUSTERDOWN, transactions and WATCH all get
// only what is left of it. Scripted nodes give exact timing: each case delays the first step by
// `STEP_MS` of a `TIMEOUT_MS` deadline, so a path that restarted the clock would settle near
// TIMEOUT_MS + STEP_MS; the bound asserted is 100 ms below that (never a tight threshold). The overshoot past
// the deadline is reported as a figure in the test output.
import {
  AskError,
  ClusterDownError,
  CommandTimeoutError,
  ConnectionError,
  defineScript,
  NodeRemovedError,
  RedirectionLimitError,
  ReplyError,
  type RedisCluster,
} from '../../lib/index.js';
import { keySlot } from '../../lib/engine/commands/key-slot.js';
import * as F from './resp-frames.js';
import { useFakeCluster } from './support/fake-cluster.js';

const TIMEOUT_MS = 800;
const STEP_MS = 500;
/**
 * A reply that comes far too late (the fake answers in order, so later replies on that connection
 * wait behind it, as on a stalled server; a missing reply would misalign them).
 */
const HANG = { delayMs: 5_000, bytes: F.simple('LATE') };
/**
 * A path that restarted its clock after the first step would settle after TIMEOUT_MS + STEP_MS; the
 * bound leaves 400 ms above the deadline for a slow or pausing (GC) test process.
 */
const BOUND_MS = TIMEOUT_MS + STEP_MS - 100;

/** Node `a` serves slots 0–8191, node `b` 8192–16383. */
const fakes = useFakeCluster(2);
const overshoots: Array<{ path: string; overshootMs: number }> = [];

function create(options: { commandTimeout?: number; maxCommandRedirections?: number } = {}): RedisCluster {
  return fakes.createClient({
    defaults: { commandTimeout: options.commandTimeout ?? TIMEOUT_MS },
    ...(options.maxCommandRedirections !== undefined ? { maxCommandRedirections: options.maxCommandRedirections } : {}),
  });
}

async function connect(options: { commandTimeout?: number; maxCommandRedirections?: number } = {}): Promise<RedisCluster> {
  const cluster = create(options);
  await cluster.connect();
  return cluster;
}

/** Runs `call`, returns its error and how long after the call it settled. */
async function timed(path: string, call: () => Promise<unknown>): Promise<{ error: unknown; elapsedMs: number }> {
  const started = performance.now();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  const elapsedMs = performance.now() - started;
  overshoots.push({ path, overshootMs: Math.round((elapsedMs - TIMEOUT_MS) * 10) / 10 });
  return { error, elapsedMs };
}

function expectTimeout(outcome: { error: unknown; elapsedMs: number }, command: string, written: boolean): CommandTimeoutError {
  expect(outcome.error).toBeInstanceOf(CommandTimeoutError);
  const error = outcome.error as CommandTimeoutError;
  expect(error.code).toBe('ERR_REDIS_COMMAND_TIMEOUT');
  expect(error.timeoutMs).toBe(TIMEOUT_MS);
  expect(error.written).toBe(written);
  expect(error.message.startsWith(`${command} timed out after ${TIMEOUT_MS} ms (it was ${written ? 'sent and may have run' : 'never sent'}`)).toBe(true);
  // Never early (one clock from the call), never a restarted clock.
  expect(outcome.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 2);
  expect(outcome.elapsedMs).toBeLessThan(BOUND_MS);
  return error;
}

/** A key whose slot the fake topology gives to node `a` (slot < 8192). */
const keyOnA = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k) => `key:${k}`).find((k) => keySlot(k) < 8192)!;
const slotA = keySlot(keyOnA);

afterAll(() => {
  // The figure asked for: how long after its deadline each path settled (ms).
  console.log(`deadline overshoot per path (ms, deadline ${TIMEOUT_MS} ms):\n${overshoots.map((o) => `  ${o.path}: ${o.overshootMs}`).join('\n')}`);
});

describe('one absolute deadline per call', () => {
  it('lazy connect: the wait for the topology counts against the first command', async () => {
    fakes.a.on('CLUSTER SHARDS', (_argv, ctx) => ({ delayMs: STEP_MS, ...toAction(ctx.defaultReply()) }));
    fakes.a.on('GET', () => HANG);
    const cluster = create();
    const outcome = await timed('lazy connect', () => cluster.get(keyOnA));
    expectTimeout(outcome, 'GET', true);
  });

  it('lazy connect: a cluster-wide fan-out (DBSIZE) shares one deadline with the wait for the topology', async () => {
    fakes.a.on('CLUSTER SHARDS', (_argv, ctx) => ({ delayMs: STEP_MS, ...toAction(ctx.defaultReply()) }));
    fakes.a.on('DBSIZE', () => ({ bytes: F.integer(3) }));
    fakes.b.on('DBSIZE', () => HANG);
    const cluster = create();
    const outcome = await timed('lazy connect, fan-out', () => cluster.dbSize());
    // The fan-out reports the node that did not answer in time.
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 2);
    expect(outcome.elapsedMs).toBeLessThan(BOUND_MS);
    const causes = (outcome.error as { outcomes?: Array<{ address: string; status: string; reason?: unknown }> }).outcomes ?? [];
    expect(causes.find((o) => o.address.endsWith(`:${fakes.b.port}`))?.reason).toBeInstanceOf(CommandTimeoutError);
    expect(causes.find((o) => o.address.endsWith(`:${fakes.a.port}`))?.status).toBe('fulfilled');
  });

  it('lazy connect: a fan-out whose topology never comes times out at the deadline, unsent', async () => {
    fakes.a.on('CLUSTER SHARDS', () => HANG);
    const cluster = create();
    const outcome = await timed('lazy connect never done, fan-out', () => cluster.dbSize());
    expectTimeout(outcome, 'DBSIZE', false);
  });

  it('unknown command: COMMAND GETKEYS and the command share the deadline', async () => {
    fakes.a.on('COMMAND GETKEYS', () => ({ delayMs: STEP_MS, bytes: F.array([F.bulk(keyOnA)]) }));
    fakes.a.on('MYMODULE.GET', () => HANG);
    fakes.b.on('COMMAND GETKEYS', () => ({ delayMs: STEP_MS, bytes: F.array([F.bulk(keyOnA)]) }));
    const cluster = await connect();
    const outcome = await timed('unknown command (GETKEYS)', () => cluster.sendCommand(['MYMODULE.GET', keyOnA]));
    expectTimeout(outcome, 'MYMODULE.GET', true);
  });

  it('unknown command: a GETKEYS that times out is the command timing out, unsent', async () => {
    for (const node of [fakes.a, fakes.b]) node.on('COMMAND GETKEYS', () => HANG);
    const cluster = await connect();
    const outcome = await timed('unknown command (GETKEYS hangs)', () => cluster.sendCommand(['MYMODULE.GET', keyOnA]));
    expectTimeout(outcome, 'MYMODULE.GET', false);
  });

  it('unknown command: GETKEYS errors are surfaced, not swallowed', async () => {
    for (const node of [fakes.a, fakes.b]) node.on('COMMAND GETKEYS', () => F.error('ERR Invalid number of arguments specified for command'));
    const cluster = await connect();
    const error = await cluster.sendCommand(['MYMODULE.GET', keyOnA]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplyError);
    expect((error as ReplyError).message).toMatch(/Invalid number of arguments/);
    expect(fakes.a.commands.some((c) => c.argv[0] === 'MYMODULE.GET') || fakes.b.commands.some((c) => c.argv[0] === 'MYMODULE.GET')).toBe(false);
  });

  it('NOSCRIPT -> EVAL: the EVAL gets only what is left', async () => {
    fakes.a.on('EVALSHA', () => ({ delayMs: STEP_MS, bytes: F.error('NOSCRIPT No matching script. Please use EVAL.') }));
    fakes.a.on('EVAL', () => HANG);
    const cluster = await connect();
    const script = defineScript('return 1');
    const outcome = await timed('NOSCRIPT -> EVAL', () => cluster.runScript(script, { keys: [keyOnA] }));
    expectTimeout(outcome, 'EVAL', true);
    expect(fakes.a.commands.filter((c) => c.argv[0] === 'EVAL')).toHaveLength(1);
  });

  it('a MOVED chain: every hop gets only what is left; past the deadline CommandTimeoutError, not the last hop', async () => {
    fakes.a.on('GET', () => ({ delayMs: STEP_MS / 2, bytes: F.error(`MOVED ${slotA} 127.0.0.1:${fakes.b.port}`) }));
    fakes.b.on('GET', () => ({ delayMs: STEP_MS / 2, bytes: F.error(`MOVED ${slotA} 127.0.0.1:${fakes.a.port}`) }));
    const cluster = await connect({ maxCommandRedirections: 50 });
    const outcome = await timed('MOVED chain', () => cluster.get(keyOnA));
    expectTimeout(outcome, 'GET', true);
  });

  it('an ASK chain: ASKING travels with each hop on the same connection, right before its command', async () => {
    fakes.a.on('GET', () => ({ delayMs: STEP_MS / 2, bytes: F.error(`ASK ${slotA} 127.0.0.1:${fakes.b.port}`) }));
    fakes.b.on('GET', () => ({ delayMs: STEP_MS / 2, bytes: F.error(`ASK ${slotA} 127.0.0.1:${fakes.a.port}`) }));
    const cluster = await connect({ maxCommandRedirections: 50 });
    const outcome = await timed('ASK chain', () => cluster.get(keyOnA));
    expectTimeout(outcome, 'GET', true);
    const onB = fakes.b.commands.filter((c) => ['ASKING', 'GET'].includes(c.argv[0]!.toUpperCase()));
    expect(onB.length).toBeGreaterThanOrEqual(2);
    for (let i = 0; i + 1 < onB.length; i += 2) {
      expect([onB[i]!.argv[0], onB[i + 1]!.argv[0]]).toEqual(['ASKING', 'GET']);
      expect(onB[i]!.connId).toBe(onB[i + 1]!.connId);
    }
  });

  it('ASK then success: the redirect limit still stops a loop before the deadline', async () => {
    fakes.a.on('GET', () => F.error(`ASK ${slotA} 127.0.0.1:${fakes.b.port}`));
    fakes.b.on('GET', () => F.error(`ASK ${slotA} 127.0.0.1:${fakes.a.port}`));
    const cluster = await connect({ maxCommandRedirections: 3 });
    const error = await cluster.get(keyOnA).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectionLimitError);
    expect((error as RedirectionLimitError).cause).toBeInstanceOf(AskError);
  });

  it('CLUSTERDOWN for the whole deadline: CommandTimeoutError with ClusterDownError as its cause, at the deadline', async () => {
    fakes.a.on('SET', () => F.error('CLUSTERDOWN The cluster is down'));
    const cluster = await connect();
    const outcome = await timed('CLUSTERDOWN', () => cluster.set(keyOnA, 'v'));
    const error = expectTimeout(outcome, 'SET', false);
    expect(error.cause).toBeInstanceOf(ClusterDownError);
    expect(error.message).toMatch(/last retried error: ClusterDownError \(ERR_REDIS_CLUSTERDOWN\)/);
  });

  it('TRYAGAIN/CLUSTERDOWN waits are bounded by the deadline, not by maxCommandRedirections', async () => {
    let until = 0;
    fakes.a.on('SET', () => (Date.now() < until ? F.error('CLUSTERDOWN The cluster is down') : F.simple('OK')));
    const cluster = await connect({ commandTimeout: 3000, maxCommandRedirections: 3 });
    until = Date.now() + 1000;
    // Far more than 3 retries happen during that second: the call still succeeds within its deadline.
    expect(await cluster.set(keyOnA, 'v')).toBe('OK');
    expect(cluster.stats().clusterDown).toBeGreaterThan(3);
  });

  it('a lost connection on every try: CommandTimeoutError (written, one consistent message), never the last retried error', async () => {
    fakes.a.on('GET', () => ({ close: true }));
    const cluster = await connect();
    const outcome = await timed('connection lost on every try', () => cluster.get(keyOnA));
    const error = expectTimeout(outcome, 'GET', true);
    expect(error).not.toBeInstanceOf(NodeRemovedError);
    expect(error.cause).toBeInstanceOf(ConnectionError);
  });

  it('transactions: a MOVED block re-runs on the new owner within the one deadline', async () => {
    for (const node of [fakes.a, fakes.b]) node.on('MULTI', () => F.simple('OK'));
    fakes.a.on('SET', () => ({ delayMs: STEP_MS, bytes: F.error(`MOVED ${slotA} 127.0.0.1:${fakes.b.port}`) }));
    fakes.a.on('EXEC', () => F.error('EXECABORT Transaction discarded because of previous errors.'));
    fakes.b.on('SET', () => F.simple('QUEUED'));
    fakes.b.on('EXEC', () => HANG);
    const cluster = await connect();
    const outcome = await timed('transaction MOVED', () => cluster.multi().set(keyOnA, 'v').exec());
    expectTimeout(outcome, 'MULTI', true);
  });

  it('transactions: TRYAGAIN inside the block is retried after a backoff, within the deadline', async () => {
    let tries = 0;
    fakes.a.on('MULTI', () => F.simple('OK'));
    fakes.a.on('MSET', () => (++tries < 3 ? F.error('TRYAGAIN Multiple keys request during rehashing of slot') : F.simple('QUEUED')));
    fakes.a.on('EXEC', () => (tries < 3 ? F.error('EXECABORT Transaction discarded because of previous errors.') : F.array([F.simple('OK')])));
    const cluster = await connect();
    expect(await cluster.multi().mSet([`{${keyOnA}}1`, 'x', `{${keyOnA}}2`, 'y']).exec()).toEqual(['OK']);
    expect(tries).toBe(3);
  });

  it('WATCH: a MOVED then a hanging WATCH settle at the one deadline', async () => {
    fakes.a.on('WATCH', () => ({ delayMs: STEP_MS, bytes: F.error(`MOVED ${slotA} 127.0.0.1:${fakes.b.port}`) }));
    fakes.b.on('WATCH', () => HANG);
    const cluster = await connect();
    const outcome = await timed('WATCH MOVED', () => cluster.watch(keyOnA));
    expectTimeout(outcome, 'WATCH', true);
  });

  it('WATCH follows ASK (the session sends ASKING before each command and before MULTI), TRYAGAIN and CLUSTERDOWN', async () => {
    let tries = 0;
    fakes.a.on('WATCH', () => F.error(`ASK ${slotA} 127.0.0.1:${fakes.b.port}`));
    fakes.b.on('WATCH', () => (++tries === 1 ? F.error('TRYAGAIN Multiple keys request during rehashing of slot') : tries === 2 ? F.error('CLUSTERDOWN The cluster is down') : F.simple('OK')));
    fakes.b.on('GET', () => F.bulk('v'));
    fakes.b.on('MULTI', () => F.simple('OK'));
    fakes.b.on('SET', () => F.simple('QUEUED'));
    fakes.b.on('EXEC', () => F.array([F.simple('OK')]));
    const cluster = await connect();
    const session = await cluster.watch(keyOnA);
    expect(session.address).toBe(`127.0.0.1:${fakes.b.port}`);
    expect(await session.get(keyOnA)).toBe('v');
    expect(await session.multi().set(keyOnA, 'w').exec()).toEqual(['OK']);
    const names = fakes.b.commands.filter((c) => c.argv[0] !== 'HELLO' && c.argv[0] !== 'CLIENT' && c.argv[0] !== 'PING' && c.argv[0] !== 'CLUSTER').map((c) => c.argv[0]!.toUpperCase());
    expect(names.slice(-8)).toEqual(['ASKING', 'WATCH', 'ASKING', 'GET', 'ASKING', 'MULTI', 'SET', 'EXEC']);
  });
});

function toAction(reply: unknown): { bytes?: string | Buffer } {
  if (typeof reply === 'string' || Buffer.isBuffer(reply)) return { bytes: reply };
  return (reply ?? {}) as { bytes?: string | Buffer };
}
