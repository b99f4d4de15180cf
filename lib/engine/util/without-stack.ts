/**
 * Builds an error without capturing a stack trace. For errors the engine creates per command at
 * high rates (queue full, deadline expired, connection lost with thousands in flight): a captured
 * stack costs tens of microseconds each and says nothing useful for a rejection raised from a timer
 * or a socket event, and under a flood it made issuing 150,000 refused commands take seconds.
 * @internal
 */
export function withoutStack<E extends Error>(make: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
