/**
 * `promise`, or a rejection with `timeoutError()` at `deadline` (epoch ms) if it has not settled by
 * then (Infinity: `promise` itself). The timer is cleared as soon as the promise settles; a later
 * outcome of `promise` is ignored. Non-Error rejections are wrapped in an Error.
 * @internal
 */
export function byDeadline<T>(promise: Promise<T>, deadline: number, timeoutError: () => Error): Promise<T> {
  if (deadline === Infinity) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError()), Math.max(0, deadline - Date.now()));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
