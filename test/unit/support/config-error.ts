import { ConfigError } from '../../../lib/engine/errors/base.error.js';

/** Runs `fn` and returns the ConfigError it throws; any other error is rethrown, and not throwing at all fails. */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
