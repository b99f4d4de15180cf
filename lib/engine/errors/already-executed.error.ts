import { RedisClusterError } from './base.error.js';

/**
 * `exec()` was called a second time on a pipeline or transaction, or a watch session was used after
 * its `exec()` or `release()`; nothing was sent.
 */
export class AlreadyExecutedError extends RedisClusterError {
  readonly code = 'ERR_REDIS_ALREADY_EXECUTED';

  /** @param what `pipeline`, `transaction` or `watch session`. */
  constructor(what: 'pipeline' | 'transaction' | 'watch session') {
    super(what === 'watch session' ? 'This watch session has ended (exec() or release() was called); open a new one with cluster.watch()' : `This ${what} was already executed; build a new one`);
  }
}
