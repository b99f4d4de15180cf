import { jest } from '@jest/globals';
import { ErrorLogThrottle, type ThrottledLine } from '../../lib/nest/events/error-log-throttle.js';

describe('ErrorLogThrottle', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('logs the first error of a node at once, then one summary per interval, then starts over', () => {
    const lines: ThrottledLine[] = [];
    const throttle = new ErrorLogThrottle(10_000, (line) => lines.push(line));
    for (let i = 0; i < 500; i++) throttle.report('10.0.0.1:7000', `ECONNREFUSED #${i}`);
    throttle.report('10.0.0.2:7000', 'timeout');
    expect(lines.map((l) => [l.key, l.suppressed])).toEqual([
      ['10.0.0.1:7000', 0],
      ['10.0.0.2:7000', 0],
    ]);
    jest.advanceTimersByTime(10_000);
    expect(lines[2]).toMatchObject({ key: '10.0.0.1:7000', suppressed: 499, message: 'ECONNREFUSED #499' });
    expect(lines).toHaveLength(3);
    jest.advanceTimersByTime(10_000); // quiet interval: state dropped
    throttle.report('10.0.0.1:7000', 'again');
    expect(lines[3]).toMatchObject({ key: '10.0.0.1:7000', suppressed: 0, message: 'again' });
    throttle.dispose();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('flushes pending summaries on dispose and leaves no timer', () => {
    const lines: ThrottledLine[] = [];
    const throttle = new ErrorLogThrottle(10_000, (line) => lines.push(line));
    throttle.report('a', 'x');
    throttle.report('a', 'y');
    throttle.dispose();
    expect(lines.map((l) => l.suppressed)).toEqual([0, 1]);
    expect(jest.getTimerCount()).toBe(0);
  });
});
