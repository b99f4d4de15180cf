/** Active handles that matter for leaks (sockets and timers), as Node reports them. */
export function activeHandles(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap' || r === 'Timeout' || r === 'TCPServerWrap');
}

/** Counts of each handle kind, to compare before and after. */
export function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of activeHandles()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** Kinds whose count grew since `before` (timers and sockets that something forgot to release). */
export function newHandles(before: Record<string, number>): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [kind, count] of Object.entries(handleCounts())) if (count > (before[kind] ?? 0)) grown[kind] = count - (before[kind] ?? 0);
  return grown;
}
