import { classifyRedirect, resolveRedirectAddress, retryDelay } from '../../../lib/engine/cluster/redirect.js';
import { replyErrorFromMessage } from '../../../lib/engine/errors/reply.error.js';

describe('classifyRedirect', () => {
  it('classifies each redirect reply once', () => {
    expect(classifyRedirect(replyErrorFromMessage('MOVED 3999 127.0.0.1:6381'))).toEqual({ kind: 'moved', slot: 3999, address: '127.0.0.1:6381' });
    expect(classifyRedirect(replyErrorFromMessage('ASK 3999 127.0.0.1:6381'))).toEqual({ kind: 'ask', slot: 3999, address: '127.0.0.1:6381' });
    expect(classifyRedirect(replyErrorFromMessage('TRYAGAIN Multiple keys request during rehashing of slot')).kind).toBe('tryagain');
    expect(classifyRedirect(replyErrorFromMessage('CLUSTERDOWN The cluster is down')).kind).toBe('clusterdown');
    expect(classifyRedirect(replyErrorFromMessage('LOADING Redis is loading the dataset in memory')).kind).toBe('unavailable');
    expect(classifyRedirect(replyErrorFromMessage('ERR wrong number of arguments')).kind).toBe('none');
    expect(classifyRedirect(new Error('x')).kind).toBe('none');
  });

  it('never trusts a MOVED with an out-of-range or malformed slot', () => {
    expect(classifyRedirect(replyErrorFromMessage('MOVED 16384 127.0.0.1:6381')).kind).toBe('none');
    expect(classifyRedirect(replyErrorFromMessage('MOVED __proto__ 127.0.0.1:6381')).kind).toBe('none');
    expect(classifyRedirect(replyErrorFromMessage('MOVED 12')).kind).toBe('none');
  });
});

describe('resolveRedirectAddress', () => {
  it('resolves empty hosts to the answering host and refuses "?"', () => {
    expect(resolveRedirectAddress('127.0.0.1:7001', 'x')).toEqual({ host: '127.0.0.1', port: 7001 });
    expect(resolveRedirectAddress(':7001', '10.1.1.1')).toEqual({ host: '10.1.1.1', port: 7001 });
    expect(resolveRedirectAddress('?:7001', '10.1.1.1')).toBeUndefined();
    expect(resolveRedirectAddress('[::1]:7001', 'x')).toEqual({ host: '::1', port: 7001 });
    expect(resolveRedirectAddress('host:99999', 'x')).toBeUndefined();
    expect(resolveRedirectAddress('nohost', 'x')).toBeUndefined();
  });
});

describe('retryDelay', () => {
  it('doubles from 10 ms, caps at 500 ms and never exceeds the remaining time', () => {
    expect([0, 1, 2, 3, 6, 10].map((a) => retryDelay(a, 10_000))).toEqual([10, 20, 40, 80, 500, 500]);
    expect(retryDelay(5, 30)).toBe(30);
    expect(retryDelay(5, -5)).toBe(0);
  });
});
