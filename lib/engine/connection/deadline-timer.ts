import { Deque } from '../util/deque.js';
import { MinHeap } from '../util/min-heap.js';
import { CommandState, type QueuedCommand } from './queued-command.js';

/**
 * One timer per connection for every command deadline, with sweeps that cost O(expired), not
 * O(queue): commands whose deadline is not earlier than the previous one's (the usual case: one
 * timeout, issued in order) go to a FIFO whose head is the earliest deadline; the rest (shorter
 * per-command timeouts, absolute deadlines of retried calls) go to a min-heap. A sweep pops
 * expired and already settled commands from both heads and stops at the first live, unexpired one;
 * the timer is armed for the earliest remaining deadline. Settled commands at the FIFO's head are
 * released as replies arrive ({@link DeadlineTimer.release}), so a healthy connection holds no
 * backlog of settled commands.
 * @internal
 */
export class DeadlineTimer {
  /**
   * A deadline up to this many ms earlier than the latest one in the FIFO still goes to the FIFO
   * (it may then expire that much late): deadlines computed in the same tick from two clock reads
   * differ by a millisecond, and should not fill the heap.
   */
  static readonly SLACK_MS = 2;
  private timer: NodeJS.Timeout | undefined;
  /** The heap is purged of settled commands when it grows past this (then reset to twice its live size). */
  private heapPurgeAt = 1024;
  private armedFor = Infinity;
  private readonly ordered = new Deque<QueuedCommand>();
  private lastOrdered = -Infinity;
  private readonly unordered = new MinHeap<QueuedCommand>((command) => command.deadline);

  constructor(private readonly expire: (command: QueuedCommand) => void) {}

  /** Number of commands indexed (settled ones not yet released included). */
  get size(): number {
    return this.ordered.length + this.unordered.length;
  }

  /** Indexes a command with a finite deadline (epoch ms) and arms the timer for it if it is the earliest. */
  watch(command: QueuedCommand): void {
    const deadline = command.deadline;
    if (deadline === Infinity) return;
    if (deadline >= this.lastOrdered - DeadlineTimer.SLACK_MS) {
      this.ordered.push(command);
      if (deadline > this.lastOrdered) this.lastOrdered = deadline;
    } else {
      this.unordered.push(command);
      // Settled commands stay in the heap until their deadline; purge them when it grows, so a
      // workload of mixed timeouts holds O(live) entries (amortized O(1) per command).
      if (this.unordered.length > this.heapPurgeAt) {
        this.unordered.retain((c) => c.state !== CommandState.Settled);
        this.heapPurgeAt = Math.max(1024, 2 * this.unordered.length);
      }
    }
    if (deadline < this.armedFor) this.arm(deadline);
  }

  /** Drops settled commands from the head of the FIFO (call after replies settled commands). */
  release(): void {
    const ordered = this.ordered;
    let head = ordered.peek();
    while (head !== undefined && head.state === CommandState.Settled) {
      ordered.shift();
      head = ordered.peek();
    }
    if (head === undefined) this.lastOrdered = -Infinity;
  }

  /**
   * Re-indexes `commands` after their deadlines changed (maintenance relaxation): O(n log n), once
   * per window, never on the hot path.
   */
  rebuild(commands: Iterable<QueuedCommand>): void {
    this.clear();
    const live: QueuedCommand[] = [];
    for (const command of commands) if (command.state !== CommandState.Settled && command.deadline !== Infinity) live.push(command);
    live.sort((a, b) => a.deadline - b.deadline);
    for (const command of live) this.watch(command);
  }

  /** Stops the timer and forgets every command. */
  stop(): void {
    this.clear();
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    this.ordered.drain();
    this.unordered.drain();
    this.lastOrdered = -Infinity;
  }

  private arm(deadline: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = deadline;
    this.timer = setTimeout(this.sweepBound, Math.max(0, deadline - Date.now()));
  }

  private readonly sweepBound = (): void => this.sweep();

  private sweep(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = Date.now();
    const ordered = this.ordered;
    for (let head = ordered.peek(); head !== undefined; head = ordered.peek()) {
      if (head.state !== CommandState.Settled && head.deadline > now) break;
      ordered.shift();
      if (head.state !== CommandState.Settled) this.expire(head);
    }
    const unordered = this.unordered;
    for (let head = unordered.peek(); head !== undefined; head = unordered.peek()) {
      if (head.state !== CommandState.Settled && head.deadline > now) break;
      unordered.pop();
      if (head.state !== CommandState.Settled) this.expire(head);
    }
    if (ordered.length === 0) this.lastOrdered = -Infinity;
    const next = Math.min(ordered.peek()?.deadline ?? Infinity, unordered.peek()?.deadline ?? Infinity);
    if (next !== Infinity) this.arm(next);
  }
}
