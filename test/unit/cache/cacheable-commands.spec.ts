import { CACHEABLE_COMMANDS, isCacheableCall } from '../../../lib/engine/cache/cacheable-commands.js';
import { commandInfo } from '../../../lib/engine/commands/command-info.js';
import type { RedisArgument } from '../../../lib/engine/resp/types.js';

const cacheable = (...argv: RedisArgument[]) => isCacheableCall(commandInfo(argv));

describe('cacheable commands', () => {
  it('lists only known, read-only, non-blocking commands of the command table', () => {
    for (const name of CACHEABLE_COMMANDS) {
      const info = commandInfo([name, 'key', 'arg2', 'arg3']);
      expect({ name, known: info.known, readOnly: info.readOnly, write: info.write, blocking: info.blocking }).toEqual({
        name,
        known: true,
        readOnly: true,
        write: false,
        blocking: false,
      });
    }
  });

  it('caches the common reads, in any case', () => {
    expect(cacheable('GET', 'k')).toBe(true);
    expect(cacheable('get', 'k')).toBe(true);
    expect(cacheable('HGETALL', 'h')).toBe(true);
    expect(cacheable('HMGET', 'h', 'a', 'b')).toBe(true);
    expect(cacheable('LRANGE', 'l', 0, -1)).toBe(true);
    expect(cacheable('SMEMBERS', 's')).toBe(true);
    expect(cacheable('ZRANGE', 'z', 0, -1, 'WITHSCORES')).toBe(true);
    expect(cacheable('MGET', '{t}a', '{t}b')).toBe(true);
    expect(cacheable('EXISTS', '{t}a', '{t}b')).toBe(true);
    expect(cacheable('TYPE', 'k')).toBe(true);
  });

  it('never caches writes, blocking, random, time-dependent or keyless commands', () => {
    for (const argv of [
      ['SET', 'k', 'v'],
      ['GETEX', 'k'],
      ['GETDEL', 'k'],
      ['INCR', 'k'],
      ['BLPOP', 'k', 0],
      ['BRPOP', 'k', 1],
      ['BZPOPMIN', 'k', 1],
      ['XREAD', 'BLOCK', 0, 'STREAMS', 's', '$'],
      ['XREAD', 'STREAMS', 's', '0'],
      ['XPENDING', 's', 'g'],
      ['SRANDMEMBER', 's'],
      ['HRANDFIELD', 'h'],
      ['TTL', 'k'],
      ['PTTL', 'k'],
      ['TOUCH', 'k'],
      ['SORT_RO', 'k'],
      ['OBJECT', 'ENCODING', 'k'],
      ['EVAL_RO', 'return 1', 1, 'k'],
      ['KEYS', '*'],
      ['DBSIZE'],
      ['PING'],
      ['NOSUCHCOMMAND', 'k'],
    ] as RedisArgument[][]) {
      expect([argv[0], cacheable(...argv)]).toEqual([argv[0], false]);
    }
  });
});
