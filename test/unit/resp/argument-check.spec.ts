import { ArgumentError } from '../../../lib/engine/errors/base.error.js';
import { checkArguments } from '../../../lib/engine/resp/argument-check.js';

describe('checkArguments', () => {
  it('never throws, even for a Proxy whose traps throw', () => {
    const hostile = new Proxy(['GET', 'k'], {
      get() {
        throw new Error('trap');
      },
    });
    const error = checkArguments(hostile);
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error?.received).toBe('unreadable value');
  });

  it('names the command, the position and the kind, never the value', () => {
    const error = checkArguments(['SET', 'k', Number.NaN]);
    expect(error).toMatchObject({ command: 'SET', position: 2, received: 'NaN', code: 'ERR_REDIS_ARGUMENT' });
    expect(checkArguments(['SET', 'k', 'secret-value'])).toBeUndefined();
    const objectError = checkArguments(['SET', 'k', { password: 'hunter2' }]);
    expect(objectError?.message).not.toContain('hunter2');
  });
});
