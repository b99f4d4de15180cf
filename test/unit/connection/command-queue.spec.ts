// The pure parts of a node connection: the deadline index (O(expired) sweeps), the bound on what is
// held for a node, and the liveness rule.
import { jest } from '@jest/globals';
import fc from 'fast-check';
import { CommandQueue } from '../../../lib/engine/connection/command-queue.js';
import { DeadlineTimer } from '../../../lib/engine/connection/deadline-timer.js';
import { allowedSilenceMs, msUntilStalled } from '../../../lib/engine/connection/liveness.js';
import { QueuedCommand } from '../../../lib/engine/connection/queued-command.js';
import { ArgumentError, CommandTimeoutError, QueueFullError } from '../../../lib/engine/errors/base.error.js';
import { CommandEncoder } from '../../../lib/engine/resp/encoder.js';
import type { RespValue } from '../../../lib/engine/resp/types.js';
import { MinHeap } from '../../../lib/engine/util/min-heap.js';

const noop = (): void => undefined;

function command(deadline: number, onFail: (e: Error) => void = noop): QueuedCommand {
  return new QueuedCommand(['GET', 'k'], false, 1000, deadline, noop, onFail, undefined, 0);
}

describe('MinHeap', () => {
  it('property: pops in non-decreasing key order whatever the push order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 })), (keys) => {
        const heap = new MinHeap<number>((n) => n);
        for (const k of keys) heap.push(k);
        const out: number[] = [];
        while (heap.length > 0) out.push(heap.pop()!);
        expect(out).toEqual([...keys].sort((a, b) => a - b));
      }),
    );
  });
});

describe('DeadlineTimer', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('expires commands at their deadline, in- and out-of-order ones alike', () => {
    const expired: QueuedCommand[] = [];
    const timer = new DeadlineTimer((c) => {
      expired.push(c);
      c.fail(new Error('timeout'));
    });
    const now = Date.now();
    const late = command(now + 100);
    const early = command(now + 50); // earlier than the previous one: out of order
    const last = command(now + 200);
    for (const c of [late, early, last]) timer.watch(c);
    jest.advanceTimersByTime(50);
    expect(expired).toEqual([early]);
    jest.advanceTimersByTime(50);
    expect(expired).toEqual([early, late]);
    jest.advanceTimersByTime(100);
    expect(expired).toEqual([early, late, last]);
    expect(timer.size).toBe(0);
    timer.stop();
  });

  it('a sweep touches only expired and settled commands: it stops at the first live, unexpired one', () => {
    let touched = 0;
    const timer = new DeadlineTimer((c) => {
      touched++;
      c.fail(new Error('timeout'));
    });
    const now = Date.now();
    const commands = Array.from({ length: 10_000 }, (_, i) => command(now + 10 + i));
    for (const c of commands) timer.watch(c);
    jest.advanceTimersByTime(10);
    expect(touched).toBe(1);
    expect(timer.size).toBe(9_999);
    timer.stop();
  });

  it('release() drops settled commands from the head as replies arrive, so a healthy connection keeps no backlog', () => {
    const timer = new DeadlineTimer(noop);
    const now = Date.now();
    const commands = Array.from({ length: 1000 }, () => command(now + 5000));
    for (const c of commands) timer.watch(c);
    for (const c of commands) {
      c.settle('OK');
      timer.release();
    }
    expect(timer.size).toBe(0);
    timer.stop();
  });

  it('settled out-of-order commands do not pile up: the heap is purged as it grows', () => {
    const timer = new DeadlineTimer(noop);
    const now = Date.now();
    timer.watch(command(now + 1_000_000)); // every later, earlier deadline is out of order
    for (let i = 0; i < 100_000; i++) {
      const c = command(now + 500_000 - i);
      timer.watch(c);
      c.settle('OK');
    }
    expect(timer.size).toBeLessThan(2100);
    timer.stop();
  });

  it('deadlines within a couple of ms of disorder stay in the FIFO and still expire', () => {
    const expired: QueuedCommand[] = [];
    const timer = new DeadlineTimer((c) => {
      expired.push(c);
      c.fail(new Error('timeout'));
    });
    const now = Date.now();
    const a = command(now + 11);
    const b = command(now + 10);
    timer.watch(a);
    timer.watch(b);
    jest.advanceTimersByTime(11);
    expect(expired).toEqual([a, b]);
    timer.stop();
  });

  it('rebuild() re-orders after deadlines were extended', () => {
    const expired: QueuedCommand[] = [];
    const timer = new DeadlineTimer((c) => {
      expired.push(c);
      c.fail(new Error('timeout'));
    });
    const now = Date.now();
    const a = command(now + 10);
    const b = command(now + 20);
    timer.watch(a);
    timer.watch(b);
    a.deadline = now + 100; // relaxed
    timer.rebuild([a, b]);
    jest.advanceTimersByTime(20);
    expect(expired).toEqual([b]);
    jest.advanceTimersByTime(80);
    expect(expired).toEqual([b, a]);
    timer.stop();
  });
});

describe('CommandQueue', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('maxQueueLength bounds unsent plus in flight; timed-out unsent commands free their place in O(1)', () => {
    const queue = new CommandQueue({ maxQueueLength: 3, commandTimeout: 100 });
    const errors: Error[] = [];
    const add = (timeout?: number) => queue.add(['GET', 'k'], timeout === undefined ? undefined : { timeout }, noop, (e) => errors.push(e));
    expect(add(50)).toBe(Date.now() + 50); // queued: its absolute deadline
    expect(add()).toBe(Date.now() + 100);
    const encoder = new CommandEncoder();
    expect(queue.writeTo(encoder, () => (encoder.take(), true))).toBe(true);
    expect(queue.inflightCount).toBe(2);
    expect(typeof add()).toBe('number');
    expect(add()).toBeInstanceOf(QueueFullError);
    expect(queue.heldCount).toBe(3);
    jest.advanceTimersByTime(50); // the first (written) command times out: its reply slot is still held
    expect(errors.filter((e) => e instanceof CommandTimeoutError)).toHaveLength(1);
    expect(queue.heldCount).toBe(3);
    jest.advanceTimersByTime(50); // the rest time out, one of them unsent
    expect(queue.unsentCount).toBe(0);
    expect(queue.heldCount).toBe(2);
    expect(typeof add()).toBe('number');
    expect(queue.settleNext('late')).toBe(true);
    expect(queue.heldCount).toBe(2);
    queue.stop();
  });

  it('property: heldCount always equals unsent live commands plus in flight, and never exceeds the limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.oneof(fc.constant('add' as const), fc.constant('write' as const), fc.constant('reply' as const), fc.integer({ min: 1, max: 60 })), { maxLength: 200 }),
        (limit, ops) => {
          const queue = new CommandQueue({ maxQueueLength: limit, commandTimeout: 50 });
          const encoder = new CommandEncoder();
          let unsent: Array<{ settled: boolean }> = [];
          let inflight = 0;
          for (const op of ops) {
            if (op === 'add') {
              const state = { settled: false };
              const error = queue.add(['GET', 'k'], undefined, () => (state.settled = true), () => (state.settled = true));
              if (typeof error !== 'number') expect(error).toBeInstanceOf(QueueFullError);
              else unsent.push(state);
            } else if (op === 'write') {
              queue.writeTo(encoder, () => (encoder.take(), true));
              inflight += unsent.filter((u) => !u.settled).length;
              unsent = [];
            } else if (op === 'reply') {
              if (queue.settleNext('OK')) inflight--;
            } else {
              jest.advanceTimersByTime(op);
            }
            expect(queue.unsentCount).toBe(unsent.filter((u) => !u.settled).length);
            expect(queue.inflightCount).toBe(inflight);
            expect(queue.heldCount).toBe(queue.unsentCount + queue.inflightCount);
            expect(queue.heldCount).toBeLessThanOrEqual(limit);
          }
          queue.stop();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('ASKING and its command are one entry: written adjacently, the ASKING reply consumed', () => {
    const queue = new CommandQueue({ maxQueueLength: 1, commandTimeout: 0 });
    const replies: RespValue[] = [];
    expect(queue.add(['GET', 'k'], { asking: true }, (v) => replies.push(v), noop)).toBe(Infinity);
    const encoder = new CommandEncoder();
    let wire = '';
    queue.writeTo(encoder, () => {
      wire += encoder.take().join('');
      return true;
    });
    expect(wire).toBe('*1\r\n$6\r\nASKING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n');
    expect(queue.settleNext('OK')).toBe(true);
    expect(queue.settleNext('value')).toBe(true);
    expect(replies).toEqual(['value']);
  });

  it('add() never throws, whatever it is given', () => {
    const queue = new CommandQueue({ maxQueueLength: 10, commandTimeout: 0 });
    fc.assert(
      fc.property(fc.anything(), (args) => {
        let error: Error | number | undefined;
        expect(() => (error = queue.add(args as never, undefined, noop, noop))).not.toThrow();
        if (typeof error !== 'number') expect(error).toBeInstanceOf(ArgumentError);
        else queue.failUnsent(new Error('reset'));
      }),
    );
  });

  it('a command settled before it was written is skipped and never written', () => {
    const queue = new CommandQueue({ maxQueueLength: 10, commandTimeout: 10 });
    queue.add(['GET', 'a'], undefined, noop, noop);
    queue.add(['GET', 'b'], { timeout: 0 }, noop, noop);
    jest.advanceTimersByTime(10);
    const encoder = new CommandEncoder();
    let wire = '';
    queue.writeTo(encoder, () => ((wire += encoder.take().join('')), true));
    expect(wire).toBe('*2\r\n$3\r\nGET\r\n$1\r\nb\r\n');
    expect(queue.inflightCount).toBe(1);
    expect(queue.unsentCount).toBe(0);
  });
});

describe('liveness rule', () => {
  const get = { name: 'GET', args: ['GET', 'k'], timeoutMs: 5000 };
  it('normally allows livenessTimeout of silence, or the oldest command’s own longer timeout', () => {
    expect(allowedSilenceMs(5000, undefined)).toBe(5000);
    expect(allowedSilenceMs(5000, get)).toBe(5000);
    expect(allowedSilenceMs(5000, { ...get, timeoutMs: 60_000 })).toBe(60_000);
    expect(allowedSilenceMs(5000, { ...get, timeoutMs: 0 })).toBe(5000);
  });

  it('blocking commands get their blocking time on top; blocking forever is never stalled', () => {
    expect(allowedSilenceMs(5000, { name: 'BLPOP', args: ['BLPOP', 'l', '0'], timeoutMs: 0 })).toBe(Infinity);
    expect(allowedSilenceMs(5000, { name: 'BLPOP', args: ['BLPOP', 'l', '10'], timeoutMs: 0 })).toBe(15_000);
    expect(allowedSilenceMs(5000, { name: 'XREAD', args: ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'], timeoutMs: 0 })).toBe(Infinity);
    expect(allowedSilenceMs(5000, { name: 'WAIT', args: ['WAIT', '1', '2000'], timeoutMs: 0 })).toBe(7000);
    expect(allowedSilenceMs(5000, { name: 'BITCOUNT', args: ['BITCOUNT', 'k'], timeoutMs: 0 })).toBe(5000);
  });

  it('msUntilStalled: off at 0, idle never stalled, otherwise counts down from the start of the silence', () => {
    expect(msUntilStalled(10_000, 0, 0, 5, get)).toBe(Infinity);
    expect(msUntilStalled(10_000, 0, 1000, 0, undefined)).toBe(Infinity);
    expect(msUntilStalled(10_000, 9_000, 5000, 1, get)).toBe(4000);
    expect(msUntilStalled(10_000, 4_000, 5000, 1, get)).toBeLessThanOrEqual(0);
  });
});
