import type { RedisArgument } from '../resp/types.js';
import type { ResolvedNodeConnectionOptions } from './connection-options.js';

/** One handshake step. `optional` steps may fail (e.g. CLIENT SETINFO before Redis 7.2). @internal */
export interface HandshakeStep {
  readonly args: RedisArgument[];
  readonly optional: boolean;
  /** Failure of this step is an authentication failure. */
  readonly auth: boolean;
}

export const LIB_NAME = 'nest-redis-cluster';
export const LIB_VERSION = '0.1.0';

/** The commands sent on every (re)connect, before any user command. @internal */
export function handshakeSteps(options: ResolvedNodeConnectionOptions): HandshakeStep[] {
  const steps: HandshakeStep[] = [];
  const user = options.username ?? (options.password !== undefined ? 'default' : undefined);
  if (options.RESP === 3) {
    const hello: RedisArgument[] = ['HELLO', '3'];
    if (options.password !== undefined) hello.push('AUTH', user ?? 'default', options.password);
    if (options.name !== undefined) hello.push('SETNAME', options.name);
    steps.push({ args: hello, optional: false, auth: options.password !== undefined });
  } else {
    if (options.password !== undefined) {
      steps.push({
        args: options.username !== undefined ? ['AUTH', options.username, options.password] : ['AUTH', options.password],
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
