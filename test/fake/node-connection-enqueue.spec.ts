// Enqueue-time contracts of a node connection: arguments checked when the command is issued (a bad
// call rejects its own promise, nothing is queued, nothing else is affected), absolute deadlines,
// and ASKING written as one unit with its command.
import fc from 'fast-check';
import { ArgumentError, CommandTimeoutError, QueueFullError } from '../../lib/engine/errors/base.error.js';
import { ConnectionClosedError } from '../../lib/engine/errors/connection.error.js';
import type { RedisArgument, RespValue } from '../../lib/engine/resp/types.js';
import * as F from './resp-frames.js';
import { useFakeNode } from './support/fake-node.js';

const fake = useFakeNode();

beforeEach(() => {
  fake.server.on('GET', (argv) => F.bulk(`v:${argv[1] ?? ''}`));
  fake.server.on('SET', () => F.simple('OK'));
});

/** Commands the fake server received after the handshake, as upper-case name + args. */
function userCommands(): string[][] {
  return fake.server.commands.filter((c) => !['HELLO', 'AUTH', 'PING', 'CLIENT', 'QUIT'].includes(c.argv[0]!.toUpperCase())).map((c) => c.argv);
}

const badValues: unknown[] = [undefined, null, {}, [], Symbol('s'), NaN, Infinity, -Infinity, () => 1, 10n, true, new Date(0)];

describe('arguments are checked when a command is issued', () => {
  it('a bad argument rejects its own call with ArgumentError (position and kind, never the value), nothing is sent, the same tick is unaffected', async () => {
    const c = fake.open();
    await c.connect();
    for (const bad of badValues) {
      const before = c.sendCommand(['SET', 'a', '1']);
      let thrown: unknown;
      let call: Promise<unknown> | undefined;
      try {
        call = c.sendCommand(['SET', 'k', bad as RedisArgument]);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeUndefined();
      const after = c.sendCommand(['GET', 'b']);
      const error = await call!.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as ArgumentError).code).toBe('ERR_REDIS_ARGUMENT');
      expect((error as ArgumentError).position).toBe(2);
      expect((error as ArgumentError).command).toBe('SET');
      expect(await before).toBe('OK');
      expect(await after).toBe('v:b');
    }
    expect(userCommands().filter((argv) => argv[1] === 'k')).toEqual([]);
  });

  it('sendCommand with no array, an empty array or a non-array rejects (never throws synchronously)', async () => {
    const c = fake.open();
    await c.connect();
    for (const args of [undefined, null, [], 'GET', { length: 1, 0: 'GET' }] as unknown[]) {
      let thrown: unknown;
      let call: Promise<unknown> | undefined;
      try {
        call = c.sendCommand(args as RedisArgument[]);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeUndefined();
      await expect(call).rejects.toBeInstanceOf(ArgumentError);
    }
    expect(await c.sendCommand(['GET', 'x'])).toBe('v:x');
  });

  it('enqueue() with a bad argument calls reject synchronously and queues nothing', async () => {
    const c = fake.open();
    await c.connect();
    const outcomes: unknown[] = [];
    c.enqueue(['GET', {} as RedisArgument], undefined, (v) => outcomes.push(v), (e) => outcomes.push(e));
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toBeInstanceOf(ArgumentError);
    expect(c.pendingCount).toBe(0);
  });

  it('property: any argv of arbitrary values either is sent or rejects with ArgumentError, and the connection stays in step', async () => {
    const c = fake.open();
    await c.connect();
    const arbitraryArg = fc.oneof(
      fc.string(),
      fc.double(),
      fc.integer(),
      fc.constantFrom<unknown>(undefined, null, {}, [], NaN, Infinity, true),
      fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(arbitraryArg, { maxLength: 5 }), fc.string(), async (rest, key) => {
        const outcome = await c.sendCommand(['GET', ...(rest as RedisArgument[])]).then(
          () => 'sent',
          (e: unknown) => e,
        );
        const sendable = rest.every((a) => typeof a === 'string' || Buffer.isBuffer(a) || (typeof a === 'number' && Number.isFinite(a)));
        if (sendable) expect(outcome).toBe('sent');
        else expect(outcome).toBeInstanceOf(ArgumentError);
        // The next reply still goes to the next caller.
        expect(await c.sendCommand(['GET', `check:${key}`])).toBe(`v:check:${key}`);
      }),
      { numRuns: 60 },
    );
  });

  it('a MULTI block with one bad command is rejected whole before anything is queued', async () => {
    const c = fake.open();
    await c.connect();
    const outcomes: unknown[] = [];
    const record = { resolve: (v: RespValue) => outcomes.push(v), reject: (e: Error) => outcomes.push(e) };
    c.enqueueBlock([
      { args: ['MULTI'], ...record },
      { args: ['SET', 'k', '1'], ...record },
      { args: ['SET', 'k', undefined as unknown as RedisArgument], ...record },
      { args: ['EXEC'], ...record },
    ]);
    expect(outcomes).toHaveLength(4);
    for (const outcome of outcomes) expect(outcome).toBeInstanceOf(ArgumentError);
    expect(c.pendingCount).toBe(0);
    expect(await c.sendCommand(['GET', 'after'])).toBe('v:after');
    expect(userCommands().map((argv) => argv[0])).toEqual(['GET']);
  });

  it('an argv mutated after it was issued fails that command only (defence in depth: nothing escapes from the flush)', async () => {
    const c = fake.open();
    await c.connect();
    const argv: RedisArgument[] = ['SET', 'k', 'v'];
    const first = c.sendCommand(['GET', 'a']);
    const mutated = c.sendCommand(argv);
    argv[2] = {} as RedisArgument; // before the flush of this tick
    const last = c.sendCommand(['GET', 'b']);
    await expect(mutated).rejects.toBeInstanceOf(ArgumentError);
    expect(await first).toBe('v:a');
    expect(await last).toBe('v:b');
    expect(userCommands()).toEqual([['GET', 'a'], ['GET', 'b']]);
  });

  it('a block whose argv is mutated after it was issued is failed whole, never half-written', async () => {
    fake.server.on('MULTI', () => F.simple('OK'));
    fake.server.on('EXEC', () => F.array([F.simple('OK')]));
    const c = fake.open();
    await c.connect();
    const outcomes: unknown[] = [];
    const record = { resolve: (v: RespValue) => outcomes.push(v), reject: (e: Error) => outcomes.push(e) };
    const argv: RedisArgument[] = ['SET', 'k', 'v'];
    c.enqueueBlock([{ args: ['MULTI'], ...record }, { args: argv, ...record }, { args: ['EXEC'], ...record }]);
    argv[1] = Symbol('mutated') as unknown as RedisArgument;
    expect(await c.sendCommand(['GET', 'after'])).toBe('v:after');
    expect(outcomes).toHaveLength(3);
    for (const outcome of outcomes) expect(outcome).toBeInstanceOf(ArgumentError);
    expect(userCommands()).toEqual([['GET', 'after']]);
  });
});

describe('absolute deadlines', () => {
  it('a deadline already past rejects at once with CommandTimeoutError (never sent), nothing queued', async () => {
    const c = fake.open();
    await c.connect();
    await expect(c.sendCommand(['GET', 'late'], { deadline: Date.now() - 1 })).rejects.toMatchObject({ code: 'ERR_REDIS_COMMAND_TIMEOUT', written: false });
    expect(c.pendingCount).toBe(0);
    expect(await c.sendCommand(['GET', 'x'])).toBe('v:x');
    expect(userCommands()).toEqual([['GET', 'x']]);
  });

  it('deadline wins over timeout (timeout 0 = none would wait forever)', async () => {
    fake.server.on('GET', () => ({ noReply: true }));
    const c = fake.open({ commandTimeout: 0 });
    await c.connect();
    const error = await c.sendCommand(['GET', 'slow'], { timeout: 0, deadline: Date.now() + 50 }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect((error as CommandTimeoutError).written).toBe(true);
  });

  it('a block shares the absolute deadline it is given', async () => {
    for (const name of ['MULTI', 'SET', 'EXEC']) fake.server.on(name, () => ({ noReply: true }));
    const c = fake.open({ commandTimeout: 0 });
    await c.connect();
    const outcomes: Array<Promise<unknown>> = [];
    const commands = [['MULTI'], ['SET', 'k', '1'], ['EXEC']].map((args) => {
      let resolve!: (v: RespValue) => void;
      let reject!: (e: Error) => void;
      outcomes.push(new Promise<RespValue>((res, rej) => ((resolve = res), (reject = rej))).catch((e: unknown) => e));
      return { args, resolve, reject };
    });
    c.enqueueBlock(commands, { deadline: Date.now() + 50 });
    for (const outcome of await Promise.all(outcomes)) expect(outcome).toBeInstanceOf(CommandTimeoutError);
  });
});

describe('ASKING is one unit with its command', () => {
  it('is written immediately before the command, its reply consumed; the promise gets the command reply', async () => {
    const c = fake.open();
    await c.connect();
    const a = c.sendCommand(['GET', 'a']);
    const b = c.sendCommand(['GET', 'b'], { asking: true });
    const d = c.sendCommand(['GET', 'd']);
    expect(await Promise.all([a, b, d])).toEqual(['v:a', 'v:b', 'v:d']);
    expect(userCommands()).toEqual([['GET', 'a'], ['ASKING'], ['GET', 'b'], ['GET', 'd']]);
  });

  it('an error reply to ASKING is consumed; the command still gets its own reply', async () => {
    fake.server.on('ASKING', () => F.error('ERR This instance has cluster support disabled'));
    const c = fake.open();
    await c.connect();
    expect(await c.sendCommand(['GET', 'b'], { asking: true })).toBe('v:b');
    expect(await c.sendCommand(['GET', 'c'])).toBe('v:c');
  });

  it('counts as one command against maxQueueLength: never half-queued', async () => {
    const c = fake.open({ maxQueueLength: 1 });
    // Not connected yet: everything waits in the offline queue.
    const first = c.sendCommand(['GET', 'b'], { asking: true });
    await expect(c.sendCommand(['GET', 'c'], { asking: true })).rejects.toBeInstanceOf(QueueFullError);
    expect(await first).toBe('v:b');
    expect(userCommands()).toEqual([['ASKING'], ['GET', 'b']]);
  });

  it('queued while the connection is reconnecting, the pair is written together on the next socket', async () => {
    fake.server.on('GET', (argv, ctx) => (ctx.connId === 1 ? { close: true } : F.bulk(`v:${argv[1] ?? ''}`)));
    const c = fake.open();
    await c.connect();
    let paired: Promise<unknown> | undefined;
    c.once('reconnecting', () => {
      paired = c.sendCommand(['GET', 'b'], { asking: true });
    });
    expect(await c.sendCommand(['GET', 'x']).catch((e: unknown) => e)).toBeInstanceOf(ConnectionClosedError);
    expect(paired).toBeDefined();
    expect(await paired).toBe('v:b');
    const onSecond = fake.server.commandsOn(2).map((r) => r.argv);
    const at = onSecond.findIndex((argv) => argv[0] === 'ASKING');
    expect(onSecond[at + 1]).toEqual(['GET', 'b']);
    expect(fake.server.commandsOn(1).map((r) => r.argv[0])).not.toContain('ASKING');
  });

  it('written and then the socket dies: the command rejects with mayHaveRun and is not replayed', async () => {
    fake.server.on('GET', (_argv, ctx) => (ctx.connId === 1 ? { close: true } : F.bulk('again')));
    const c = fake.open();
    await c.connect();
    const error = await c.sendCommand(['GET', 'b'], { asking: true }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as ConnectionClosedError).mayHaveRun).toBe(true);
    expect(await c.sendCommand(['PING'])).toBe('PONG');
    expect(fake.server.commandsOn(2).map((r) => r.argv[0]!.toUpperCase())).not.toContain('ASKING');
  });
});
