import type { RedisArgument } from '../resp/types.js';
import type { ResolvedNodeConnectionOptions } from './connection-options.js';
import type { Credentials } from '../auth/credentials-source.js';

/** One handshake step. `optional` steps may fail (e.g. CLIENT SETINFO before Redis 7.2). @internal */
export interface HandshakeStep {
  readonly args: RedisArgument[];
  readonly optional: boolean;
  /** Failure of this step is an authentication failure. */
  readonly auth: boolean;
}

export const LIB_NAME = 'nest-redis-cluster';
export const LIB_VERSION = '0.1.0';

/**
 * The commands sent on every (re)connect, before any user command. `credentials` (from a provider)
 * replace the options' static username and password.
 * @internal
 */
export function handshakeSteps(options: ResolvedNodeConnectionOptions, credentials?: Credentials): HandshakeStep[] {
  const steps: HandshakeStep[] = [];
  const username = credentials ? credentials.username : options.username;
  const password = credentials ? credentials.password : options.password?.reveal();
  const user = username ?? (password !== undefined ? 'default' : undefined);
  if (options.RESP === 3) {
    const hello: RedisArgument[] = ['HELLO', '3'];
    if (password !== undefined) hello.push('AUTH', user ?? 'default', password);
    if (options.name !== undefined) hello.push('SETNAME', options.name);
    steps.push({ args: hello, optional: false, auth: password !== undefined });
  } else {
    if (password !== undefined) {
      steps.push({
        args: username !== undefined ? ['AUTH', username, password] : ['AUTH', password],
        optional: false,
        auth: true,
      });
    }
    if (options.name !== undefined) steps.push({ args: ['CLIENT', 'SETNAME', options.name], optional: false, auth: false });
  }
  if (options.clientInfo) {
    steps.push({ args: ['CLIENT', 'SETINFO', 'LIB-NAME', LIB_NAME], optional: true, auth: false });
    steps.push({ args: ['CLIENT', 'SETINFO', 'LIB-VER', LIB_VERSION], optional: true, auth: false });
  }
  return steps;
}

/** Error reply prefixes that mean the credentials were refused. @internal */
export function isAuthFailure(prefix: string): boolean {
  return prefix === 'WRONGPASS' || prefix === 'NOAUTH' || prefix === 'NOPERM';
}
