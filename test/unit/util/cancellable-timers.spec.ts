import { jest } from '@jest/globals';
import { CancellableTimers } from '../../../lib/engine/util/cancellable-timers.js';

describe('CancellableTimers', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs what fired and forgets it; cancelAll runs the cancel callback of the rest, once, and clears their timers', () => {
    const timers = new CancellableTimers();
    const log: string[] = [];
    timers.schedule(10, () => log.push('a fired'), () => log.push('a cancelled'));
    timers.schedule(50, () => log.push('b fired'), () => log.push('b cancelled'));
    expect(timers.size).toBe(2);
    jest.advanceTimersByTime(10);
    expect(log).toEqual(['a fired']);
    expect(timers.size).toBe(1);
    timers.cancelAll();
    timers.cancelAll();
    expect(log).toEqual(['a fired', 'b cancelled']);
    expect(timers.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(100);
    expect(log).toEqual(['a fired', 'b cancelled']);
  });

  it('sleep() resolves after its delay, or at once when cancelled', async () => {
    const timers = new CancellableTimers();
    const woke: string[] = [];
    void timers.sleep(20).then(() => woke.push('slept'));
    void timers.sleep(1_000_000).then(() => woke.push('cancelled'));
    await jest.advanceTimersByTimeAsync(20);
    expect(woke).toEqual(['slept']);
    timers.cancelAll();
    await Promise.resolve();
    expect(woke).toEqual(['slept', 'cancelled']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('a cancel callback that schedules again is not cancelled by the same cancelAll', () => {
    const timers = new CancellableTimers();
    const log: string[] = [];
    timers.schedule(10, () => log.push('fired'), () => timers.schedule(10, () => log.push('re-fired'), () => log.push('re-cancelled')));
    timers.cancelAll();
    expect(timers.size).toBe(1);
    jest.advanceTimersByTime(10);
    expect(log).toEqual(['re-fired']);
  });

  it('a cancel callback that throws does not keep the others from running; the error is rethrown after', () => {
    const timers = new CancellableTimers();
    const log: string[] = [];
    const bug = new Error('callback bug');
    timers.schedule(10, () => log.push('a fired'), () => {
      throw bug;
    });
    timers.schedule(10, () => log.push('b fired'), () => log.push('b cancelled'));
    expect(() => timers.cancelAll()).toThrow(bug);
    expect(log).toEqual(['b cancelled']);
    expect(timers.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });
});
