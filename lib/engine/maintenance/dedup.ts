/**
 * Remembers the most recent `(type, seq)` keys seen, to drop repeated notifications (servers
 * replay events, and every proxy or node of a database sends the same seq id). Bounded: the
 * oldest keys are forgotten first.
 */
export class SeqDeduper {
  private readonly seen = new Set<string>();

  /** @param capacity Most keys remembered. @default 256 */
  constructor(private readonly capacity = 256) {}

  /** Records the key; true when it is new, false for a repeat. */
  firstTime(type: string, seq: number): boolean {
    const key = `${type}:${seq}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value as string;
      this.seen.delete(oldest);
    }
    return true;
  }

  /** Number of keys remembered. */
  get size(): number {
    return this.seen.size;
  }
}
