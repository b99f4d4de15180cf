// The call deadline on the hot path is fixed lazily (the first attempt adopts the deadline its
// connection computed; anything that waits fixes it first): blocking commands, node-bound commands,
// returnBuffers, commandTimeout 0, cache single-flight followers, fan-outs after a lazy connect and
// traced raw split commands keep one deadline from the call and report it. Scripted nodes, exact timing.
import { CommandTimeoutError, NodeFanOutError, type RedisCluster, type RedisClusterOptions } from '../../lib/index.js';
import { keySlot } from '../../lib/engine/commands/key-slot.js';
import { useFakeCluster } from './support/fake-cluster.js';
import * as F from './resp-frames.js';
import { recordCommands } from '../observability/support/otel.js';

const TIMEOUT_MS = 800;
const STEP_MS = 500;
const HANG = { delayMs: 5_000, bytes: F.simple('LATE') };
/**
 * A path that fixed its deadline late (after a STEP_MS wait) would settle after TIMEOUT_MS + STEP_MS;
 * the bound leaves 400 ms above the deadline for a slow or pausing (GC) test process.
 */
const BOUND_MS = TIMEOUT_MS + STEP_MS - 100;

const fakes = useFakeCluster(2);

/** The client under test: root node a, the call timeout TIMEOUT_MS unless `defaults` says otherwise. */
function create(extra: Partial<RedisClusterOptions> = {}, defaults: Partial<NonNullable<RedisClusterOptions['defaults']>> = {}): RedisCluster {
  return fakes.createClient({ ...extra, defaults: { commandTimeout: TIMEOUT_MS, ...defaults } });
}

async function timed(call: () => Promise<unknown>): Promise<{ value: unknown; error: unknown; elapsedMs: number }> {
  const started = performance.now();
  let value: unknown;
  let error: unknown;
  try {
    value = await call();
  } catch (e) {
    error = e;
  }
  return { value, error, elapsedMs: performance.now() - started };
}

const keyOnA = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k) => `key:${k}`).find((k) => keySlot(k) < 8192)!;
const keyOnB = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k) => `key:${k}`).find((k) => keySlot(k) >= 8192)!;

function toAction(reply: unknown): { bytes?: string | Buffer } {
  if (typeof reply === 'string' || Buffer.isBuffer(reply)) return { bytes: reply };
  return (reply ?? {}) as { bytes?: string | Buffer };
}


describe('shared fan-out deadline', () => {
  it('a node of a fan-out that times out reports the call timeout (not what was left after the lazy connect)', async () => {
    fakes.a.on('CLUSTER SHARDS', (_argv, ctx) => ({ delayMs: STEP_MS, ...toAction(ctx.defaultReply()) }));
    fakes.a.on('DBSIZE', () => F.integer(3));
    fakes.b.on('DBSIZE', () => HANG);
    const cluster = create();
    const outcome = await timed(() => cluster.dbSize());
    expect(outcome.error).toBeInstanceOf(NodeFanOutError);
    const reason = (outcome.error as NodeFanOutError).outcomes.find((o) => o.address.endsWith(`:${fakes.b.port}`)) as { reason?: unknown };
    expect(reason.reason).toBeInstanceOf(CommandTimeoutError);
    const timeout = reason.reason as CommandTimeoutError;
    // The call's timeout is TIMEOUT_MS; the node's send only got what was left (~TIMEOUT_MS - STEP_MS).
    expect({ timeoutMs: timeout.timeoutMs, message: timeout.message.split(' (')[0] }).toEqual({
      timeoutMs: TIMEOUT_MS,
      message: `DBSIZE timed out after ${TIMEOUT_MS} ms`,
    });
  });
});

describe('lazy deadline paths settle at the call deadline', () => {
  it('blocking command after a lazy connect: deadline = issue + block time + commandTimeout', async () => {
    fakes.a.on('CLUSTER SHARDS', (_argv, ctx) => ({ delayMs: STEP_MS, ...toAction(ctx.defaultReply()) }));
    fakes.a.on('BLPOP', () => HANG);
    const cluster = create();
    const outcome = await timed(() => cluster.sendCommand(['BLPOP', keyOnA, '0.2']));
    expect(outcome.error).toBeInstanceOf(CommandTimeoutError);
    expect((outcome.error as CommandTimeoutError).timeoutMs).toBe(TIMEOUT_MS + 200);
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS + 200 - 2);
    expect(outcome.elapsedMs).toBeLessThan(BOUND_MS + 200);
  });

  it('node-bound command (nodeClient) on a connected cluster: settles at its deadline', async () => {
    const cluster = create();
    await cluster.connect();
    fakes.b.on('GET', () => HANG);
    const outcome = await timed(() => cluster.nodeClient(`127.0.0.1:${fakes.b.port}`).get(keyOnB));
    expect(outcome.error).toBeInstanceOf(CommandTimeoutError);
    expect((outcome.error as CommandTimeoutError).timeoutMs).toBe(TIMEOUT_MS);
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 2);
    expect(outcome.elapsedMs).toBeLessThan(BOUND_MS);
  });

  it('returnBuffers + MOVED: one deadline', async () => {
    const cluster = create();
    await cluster.connect();
    fakes.a.on('GET', () => ({ delayMs: STEP_MS, bytes: F.error(`MOVED ${keySlot(keyOnA)} 127.0.0.1:${fakes.b.port}`) }));
    fakes.b.on('GET', () => HANG);
    const outcome = await timed(() => cluster.sendCommand(['GET', keyOnA], { returnBuffers: true }));
    expect(outcome.error).toBeInstanceOf(CommandTimeoutError);
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 2);
    expect(outcome.elapsedMs).toBeLessThan(BOUND_MS);
  });

  it('commandTimeout 0: no deadline on the hot path (MOVED then a reply after 700 ms)', async () => {
    const cluster = create({}, { commandTimeout: 0 });
    await cluster.connect();
    fakes.a.on('GET', () => ({ delayMs: 100, bytes: F.error(`MOVED ${keySlot(keyOnA)} 127.0.0.1:${fakes.b.port}`) }));
    fakes.b.on('GET', () => ({ delayMs: 700, bytes: F.bulk('v') }));
    expect(await cluster.get(keyOnA)).toBe('v');
  });
});

describe('client-side cache single flight', () => {
  it('a follower sharing a hanging leader read times out at its own deadline (from its issue), not earlier or later', async () => {
    fakes.a.on('CLIENT TRACKING', () => F.simple('OK'));
    fakes.a.on('GET', () => HANG);
    const cluster = create({ clientSideCache: { ttl: 0 } }, { RESP: 3 });
    await cluster.connect();
    const leader = timed(() => cluster.get(keyOnA));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const follower = timed(() => cluster.get(keyOnA));
    const [l, f] = await Promise.all([leader, follower]);
    expect(l.error).toBeInstanceOf(CommandTimeoutError);
    expect(f.error).toBeInstanceOf(CommandTimeoutError);
    expect(l.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 2);
    expect(l.elapsedMs).toBeLessThan(BOUND_MS);
    expect(f.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 2);
    expect(f.elapsedMs).toBeLessThan(BOUND_MS);
    expect((f.error as CommandTimeoutError).timeoutMs).toBe(TIMEOUT_MS);
    // Only one GET was sent while the leader was out, and one more for the follower after the leader failed.
    const gets = fakes.a.commands.filter((c) => c.argv[0] === 'GET');
    expect(gets).toHaveLength(2);
    // The follower's GET went out only once the leader had failed (single flight), ~TIMEOUT_MS after the start.
    expect(gets[1]!.at - gets[0]!.at).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
  });
});

describe('split route and tracing', () => {
  /** The commands traced while `run` runs, as { command, port, redirections } at asyncEnd. */
  async function traced(run: () => Promise<void>): Promise<Array<{ command: unknown; port: unknown; redirections: unknown }>> {
    const recorder = recordCommands();
    try {
      await run();
    } finally {
      recorder.stop();
    }
    return recorder.events
      .filter((e) => e.event === 'asyncEnd')
      .map(({ snapshot }) => ({ command: snapshot['command'], port: snapshot['serverPort'], redirections: snapshot['redirections'] }));
  }

  it('a traced raw single-slot MGET/DEL (one slot group: sent as is) still reports its node, like GET', async () => {
    fakes.a.on('GET', () => F.nul());
    fakes.a.on('MGET', () => F.array([F.nul()]));
    fakes.a.on('DEL', () => F.integer(0));
    const cluster = create();
    await cluster.connect();
    const seen = await traced(async () => {
      await cluster.sendCommand(['GET', keyOnA]);
      await cluster.sendCommand(['MGET', keyOnA]);
      await cluster.sendCommand(['DEL', keyOnA]);
    });
    expect(seen.map((c) => [c.command, c.port])).toEqual([
      ['GET', fakes.a.port],
      ['MGET', fakes.a.port],
      ['DEL', fakes.a.port],
    ]);
  });

  it('a traced raw single-slot MGET that is MOVED reports the node that answered, like GET', async () => {
    // Two keys on a, in different slots: each call gets its own MOVED to b.
    const onA = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((k) => `key:${k}`).filter((k) => keySlot(k) < 8192);
    const [k1, k2] = [onA[0]!, onA.find((k) => keySlot(k) !== keySlot(onA[0]!))!];
    fakes.a.once('GET', () => F.error(`MOVED ${keySlot(k1)} 127.0.0.1:${fakes.b.port}`));
    fakes.a.once('MGET', () => F.error(`MOVED ${keySlot(k2)} 127.0.0.1:${fakes.b.port}`));
    fakes.b.on('GET', () => F.nul());
    fakes.b.on('MGET', () => F.array([F.nul()]));
    const cluster = create();
    await cluster.connect();
    const seen = await traced(async () => {
      await cluster.sendCommand(['GET', k1]);
      await cluster.sendCommand(['MGET', k2]);
    });
    expect(seen).toEqual([
      { command: 'GET', port: fakes.b.port, redirections: 1 },
      { command: 'MGET', port: fakes.b.port, redirections: 1 },
    ]);
  });
});
