import type { CommandInfo } from '../commands/command-info.js';
import { UnsupportedCommandError } from '../errors/base.error.js';

/**
 * Commands that change the state of the connection they run on. On a shared multiplexed
 * connection (or a pooled one lent to a WATCH session) they would misalign replies or affect
 * other callers, so they go through their own APIs.
 */
const CONNECTION_STATE_COMMANDS = new Map<string, string>([
  ['SUBSCRIBE', 'use cluster.subscribe()'],
  ['PSUBSCRIBE', 'use cluster.pSubscribe()'],
  ['SSUBSCRIBE', 'use cluster.sSubscribe()'],
  ['UNSUBSCRIBE', 'use cluster.unsubscribe()'],
  ['PUNSUBSCRIBE', 'use cluster.pUnsubscribe()'],
  ['SUNSUBSCRIBE', 'use cluster.sUnsubscribe()'],
  ['MULTI', 'use cluster.multi()'],
  ['EXEC', 'use cluster.multi()'],
  ['DISCARD', 'use cluster.multi()'],
  ['WATCH', 'use cluster.watch()'],
  ['UNWATCH', 'use cluster.watch() and session.release()'],
  ['MONITOR', 'open a dedicated NodeConnection for MONITOR'],
  ['RESET', 'it would reset a shared connection'],
  ['QUIT', 'use cluster.close()'],
  ['SELECT', 'Redis Cluster has only database 0'],
  ['CLIENT REPLY', 'it would desynchronise a shared connection'],
  ['CLIENT TRACKING', 'use the clientSideCache option'],
  ['HELLO', 'set RESP in the options'],
  ['AUTH', 'set username/password in the options'],
  ['READONLY', 'replica connections are made READONLY by the client (useReplicas)'],
  ['READWRITE', 'it would turn replica reads on a shared connection into MOVED replies'],
  ['ASKING', 'the client sends ASKING itself, with the command it belongs to'],
]);

/** Inside MULTI these answer at once instead of doing what the caller means. */
const NOT_IN_TRANSACTION = new Map<string, string>([
  ['WAIT', 'inside MULTI it answers at once without waiting; call cluster.waitReplicas(key, …) after exec()'],
  ['WAITAOF', 'inside MULTI it answers at once without waiting; call cluster.waitAof(key, …) after exec()'],
]);

/**
 * Why `info`'s command may not be sent through `api` (`sendCommand()`, `multi.addCommand()`,
 * `session.sendCommand()`), or undefined when it may. RESET and QUIT run at once even inside MULTI,
 * so transactions need this check as much as single commands do.
 * @internal
 */
export function connectionStateRefusal(info: CommandInfo, api: string, inTransaction = false): UnsupportedCommandError | undefined {
  const instead =
    (info.subcommand === undefined ? undefined : CONNECTION_STATE_COMMANDS.get(`${info.name} ${info.subcommand}`)) ??
    CONNECTION_STATE_COMMANDS.get(info.name) ??
    (inTransaction ? NOT_IN_TRANSACTION.get(info.name) : undefined);
  return instead === undefined ? undefined : new UnsupportedCommandError(`${info.name} cannot be sent with ${api}: ${instead}`);
}
