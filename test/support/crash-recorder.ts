import { afterAll, beforeAll } from '@jest/globals';

/**
 * Records every uncaughtException and unhandledRejection of the test process while the spec file
 * runs (hooks registered here: call it at the top of a describe). Assert `crashes` is empty after
 * throwing hostile input at the client: nothing it does may crash a default Node process.
 */
export function useCrashRecorder(): { readonly crashes: unknown[] } {
  const crashes: unknown[] = [];
  const onCrash = (error: unknown): void => {
    crashes.push(error);
  };
  beforeAll(() => {
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
  });
  afterAll(() => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  });
  return { crashes };
}
