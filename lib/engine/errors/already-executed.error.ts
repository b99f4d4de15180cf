import { RedisClusterError } from './base.error.js';

/** `exec()` was called a second time on a pipeline or transaction; nothing was sent again. */
export class AlreadyExecutedError extends RedisClusterError {
  readonly code = 'ERR_REDIS_ALREADY_EXECUTED';

  /** @param what `pipeline` or `transaction`. */
  constructor(what: 'pipeline' | 'transaction') {
    super(`This ${what} was already executed; build a new one`);
  }
}
