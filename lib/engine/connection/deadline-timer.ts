import { CommandState, type QueuedCommand } from './queued-command.js';

/**
 * One timer per connection for every command deadline: armed for the earliest deadline, and on
 * firing it sweeps the queues it is given. Cheaper than a timer per command at high throughput.
 * @internal
 */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  constructor(
    private readonly queues: () => Iterable<Iterable<QueuedCommand>>,
    private readonly expire: (command: QueuedCommand) => void,
  ) {}

  /** Make sure the timer fires no later than `deadline` (epoch ms). */
  watch(deadline: number): void {
    if (deadline >= this.armedFor) return;
    this.arm(deadline);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private arm(deadline: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = deadline;
    this.timer = setTimeout(() => this.sweep(), Math.max(0, deadline - Date.now()));
  }

  private sweep(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const queue of this.queues()) {
      for (const command of queue) {
        if (command.state === CommandState.Settled) continue;
        if (command.deadline <= now) this.expire(command);
        else if (command.deadline < next) next = command.deadline;
      }
    }
    if (next !== Infinity) this.arm(next);
  }
}
