// Error messages never carry argument values: server texts that quote arguments back are redacted
// in ReplyError messages, and CommandTimeoutError names its cause by class and code only.
import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { CommandTimeoutError, ReplyError } from '../../../lib/index.js';
import { MovedError, replyErrorFromMessage } from '../../../lib/engine/errors/reply.error.js';

const secret = fc.string({ minLength: 1 }).map((s) => `SECRET-${s}`);

describe('ReplyError redacts argument values the server quoted back', () => {
  it('unknown command: keeps the name, drops the arguments', () => {
    const error = replyErrorFromMessage("ERR unknown command 'NOSUCHCMD', with args beginning with: 'pw-1' 'other' ");
    expect(error.message).toBe("ERR unknown command 'NOSUCHCMD', with args beginning with: ?");
    expect(error.prefix).toBe('ERR');
  });

  it('ACL SETUSER modifier (password, hash or rule): replaced by ?', () => {
    expect(new ReplyError("ERR Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters").message).toBe(
      "ERR Error in ACL SETUSER modifier '?': The password hash must be exactly 64 characters",
    );
    expect(new ReplyError("ERR Error in ACL SETUSER modifier '(>pw x)': Syntax error").message).toBe("ERR Error in ACL SETUSER modifier '?': Syntax error");
    expect(new ReplyError("ERR Invalid argument 'pw' for CONFIG SET 'requirepass'").message).toBe("ERR Invalid argument '?' for CONFIG SET 'requirepass'");
  });

  it('texts that quote only names, and redirects, are unchanged', () => {
    for (const text of ["ERR unknown subcommand 'FOO'. Try ACL HELP.", "ERR wrong number of arguments for 'get' command", 'WRONGPASS invalid username-password pair or user is disabled.', "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"]) {
      expect(replyErrorFromMessage(text).message).toBe(text);
    }
    const moved = replyErrorFromMessage('MOVED 3999 127.0.0.1:7001');
    expect(moved).toBeInstanceOf(MovedError);
    expect(moved.message).toBe('MOVED 3999 127.0.0.1:7001');
  });

  it('for any values and command name, no quoted argument survives in the message, the stack or inspect', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !s.includes('SECRET')), fc.array(secret, { minLength: 1, maxLength: 3 }), secret, (name, args, modifier) => {
        const unknown = replyErrorFromMessage(`ERR unknown command '${name}', with args beginning with: ${args.map((a) => `'${a}' `).join('')}`);
        const acl = replyErrorFromMessage(`ERR Error in ACL SETUSER modifier '${modifier}': Syntax error`);
        for (const error of [unknown, acl]) {
          expect(error.message).not.toContain('SECRET-');
          expect(inspect(error, { showHidden: true, depth: Infinity })).not.toContain('SECRET-');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('CommandTimeoutError', () => {
  it('names its cause by class and code, never by its message (kept on .cause)', () => {
    const cause = new ReplyError("ERR Invalid argument 'x' SECRET-in-text");
    const error = new CommandTimeoutError('SET', 100, true, { cause });
    expect(error.message).toBe('SET timed out after 100 ms (it was sent and may have run on the server); last retried error: ReplyError (ERR_REDIS_REPLY)');
    expect(error.cause).toBe(cause);
    const socket = Object.assign(new Error('read ECONNRESET SECRET-x'), { code: 'ECONNRESET' });
    expect(new CommandTimeoutError('GET', 5, false, { cause: socket }).message).toMatch(/last retried error: Error \(ECONNRESET\)$/);
    const odd = Object.assign(new Error('SECRET-y'), { code: 'SECRET-y value' });
    expect(new CommandTimeoutError('GET', 5, false, { cause: odd }).message).not.toContain('SECRET');
  });
});
