import { parseRedisUrl } from '../../../lib/engine/connection/redis-url.js';
import { resolveNodeConnectionOptions } from '../../../lib/engine/connection/connection-options.js';
import { decideReconnect, defaultReconnectStrategy } from '../../../lib/engine/connection/reconnect-strategy.js';
import { ConfigError } from '../../../lib/engine/errors/base.error.js';
import { Deque } from '../../../lib/engine/util/deque.js';

describe('parseRedisUrl', () => {
  it('parses every part', () => {
    expect(parseRedisUrl('redis://127.0.0.1:7000', 'url')).toEqual({ host: '127.0.0.1', port: 7000, tls: false });
    expect(parseRedisUrl('rediss://us%40er:p%3Ass@host', 'url')).toEqual({ host: 'host', port: 6379, tls: true, username: 'us@er', password: 'p:ss' });
    expect(parseRedisUrl('redis://:only-pass@h:1', 'url')).toEqual({ host: 'h', port: 1, tls: false, password: 'only-pass' });
    expect(parseRedisUrl('redis://[::1]:7000', 'url')).toEqual({ host: '::1', port: 7000, tls: false });
  });

  it('rejects other schemes, queries and databases with the option name and without the password', () => {
    for (const bad of ['http://h:1', 'redis://u:secret@h:1?x=1', 'redis://u:secret@h:1/3', 'not a url']) {
      let error: unknown;
      try {
        parseRedisUrl(bad, 'rootNodes[2].url');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).option).toBe('rootNodes[2].url');
      expect((error as Error).message).not.toContain('secret');
    }
  });
});

describe('resolveNodeConnectionOptions', () => {
  it('lets explicit fields win over the URL', () => {
    const o = resolveNodeConnectionOptions({ url: 'redis://a:b@h:1', password: 'c', socket: { port: 2 } });
    expect(o).toMatchObject({ host: 'h', port: 2, username: 'a', tls: false });
    expect(o.password?.reveal()).toBe('c');
  });

  it('validates types', () => {
    expect(() => resolveNodeConnectionOptions({ RESP: 4 as never })).toThrow(/RESP/);
    expect(() => resolveNodeConnectionOptions({ socket: { reconnectStrategy: 'x' as never } })).toThrow(/socket.reconnectStrategy/);
    expect(() => resolveNodeConnectionOptions({ url: 'rediss://h', socket: { tls: false } })).toThrow(/socket.tls/);
    expect(resolveNodeConnectionOptions({ maxQueueLength: Infinity }).maxQueueLength).toBe(Infinity);
  });
});

describe('reconnect strategy', () => {
  it('backs off exponentially with jitter, capped', () => {
    for (let retries = 0; retries < 12; retries++) {
      const delay = defaultReconnectStrategy(retries);
      const base = Math.min(50 * 2 ** retries, 2000);
      expect(delay).toBeGreaterThanOrEqual(base);
      expect(delay).toBeLessThan(base + 200);
    }
  });

  it('honours false, numbers, Errors and falls back on invalid returns', () => {
    const cause = new Error('x');
    const invalid: Error[] = [];
    expect(decideReconnect(false, 0, cause, (e) => invalid.push(e))).toBe(false);
    expect(decideReconnect(42, 0, cause, (e) => invalid.push(e))).toBe(42);
    const stop = new Error('stop');
    expect(decideReconnect(() => stop, 0, cause, (e) => invalid.push(e))).toBe(stop);
    expect(decideReconnect((r) => r * 10, 3, cause, (e) => invalid.push(e))).toBe(30);
    expect(invalid).toHaveLength(0);
    expect(typeof decideReconnect(() => 'soon' as never, 0, cause, (e) => invalid.push(e))).toBe('number');
    expect(typeof decideReconnect(() => { throw new Error('boom'); }, 0, cause, (e) => invalid.push(e))).toBe('number');
    expect(invalid).toHaveLength(2);
  });
});

describe('Deque', () => {
  it('keeps FIFO order across compaction, unshift and retain', () => {
    const d = new Deque<number>();
    for (let i = 0; i < 5000; i++) d.push(i);
    for (let i = 0; i < 3000; i++) expect(d.shift()).toBe(i);
    d.unshift(-1);
    expect(d.peek()).toBe(-1);
    expect(d.length).toBe(2001);
    d.retain((x) => x % 2 === 0);
    expect([...d].slice(0, 3)).toEqual([3000, 3002, 3004]);
    expect(d.drain()).toHaveLength(1000);
    expect(d.length).toBe(0);
    expect(d.shift()).toBeUndefined();
  });
});

describe('liveness and reply-size options', () => {
  it('socket.livenessTimeout defaults to 5000 ms, 0 turns it off, and is validated with its path', () => {
    expect(resolveNodeConnectionOptions({}).livenessTimeout).toBe(5000);
    expect(resolveNodeConnectionOptions({ socket: { livenessTimeout: 0 } }).livenessTimeout).toBe(0);
    for (const bad of [-1, NaN, Infinity, '5' as never]) {
      expect(() => resolveNodeConnectionOptions({ socket: { livenessTimeout: bad } }, 'rootNodes[0]')).toThrow(/rootNodes\[0\]\.socket\.livenessTimeout/);
    }
  });

  it('maxBulkLength defaults to 512 MiB and is validated with its path', () => {
    expect(resolveNodeConnectionOptions({}).maxBulkLength).toBe(512 * 1024 * 1024);
    expect(resolveNodeConnectionOptions({ maxBulkLength: 1024 }).maxBulkLength).toBe(1024);
    for (const bad of [0, -5, 1.5, NaN, Infinity, 2 ** 60]) {
      expect(() => resolveNodeConnectionOptions({ maxBulkLength: bad }, 'defaults')).toThrow(/defaults\.maxBulkLength/);
    }
  });
});
