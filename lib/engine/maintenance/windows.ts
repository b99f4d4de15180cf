import type { MaintenanceNotificationType } from './types.js';

/** What keeps a node in a maintenance window. */
export type WindowFamily = 'migration' | 'failover' | 'slot-migration' | 'handoff';

/** The window a notification opens, if any (MOVING opens `handoff`, closed when the handoff settles). */
export function openedWindow(type: MaintenanceNotificationType): WindowFamily | undefined {
  switch (type) {
    case 'MIGRATING':
      return 'migration';
    case 'FAILING_OVER':
      return 'failover';
    case 'SMIGRATING':
      return 'slot-migration';
    case 'MOVING':
      return 'handoff';
    default:
      return undefined;
  }
}

/** The window a notification closes, if any. */
export function closedWindow(type: MaintenanceNotificationType): WindowFamily | undefined {
  switch (type) {
    case 'MIGRATED':
      return 'migration';
    case 'FAILED_OVER':
      return 'failover';
    case 'SMIGRATED':
      return 'slot-migration';
    default:
      return undefined;
  }
}

/**
 * How long a window may stay open without its closing notification, in ms: twice the longer of
 * the relaxed command timeout and the time the server announced (a time of 0 or less means
 * "now", so the relaxed timeout is the floor).
 */
export function backstopMs(relaxedCommandTimeoutMs: number, timeSeconds?: number): number {
  return 2 * Math.max(relaxedCommandTimeoutMs, (timeSeconds ?? 0) * 1000);
}

interface OpenWindow {
  readonly seq: number;
  /** Epoch ms when the backstop closes it. */
  readonly until: number;
}

/**
 * The open maintenance windows of one node. The node is in maintenance (timeouts relaxed) while
 * any window is open. Pure: the caller arms a timer for {@link nextDeadline} and calls
 * {@link expire}.
 */
export class NodeWindows {
  private readonly open = new Map<WindowFamily, OpenWindow>();

  /** True while any window is open. */
  get active(): boolean {
    return this.open.size > 0;
  }

  /** Opens (or re-opens with a new seq and deadline) a window. */
  start(family: WindowFamily, seq: number, until: number): void {
    this.open.set(family, { seq, until });
  }

  /** Closes a window; false when it was not open. */
  end(family: WindowFamily): boolean {
    return this.open.delete(family);
  }

  has(family: WindowFamily): boolean {
    return this.open.has(family);
  }

  /** The seq of the notification that opened the window, when open. */
  seqOf(family: WindowFamily): number | undefined {
    return this.open.get(family)?.seq;
  }

  /** Earliest backstop deadline (epoch ms), or undefined when nothing is open. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const window of this.open.values()) if (next === undefined || window.until < next) next = window.until;
    return next;
  }

  /** Closes every window whose deadline has passed and returns them with their seq. */
  expire(now: number): Array<{ family: WindowFamily; seq: number }> {
    const expired: Array<{ family: WindowFamily; seq: number }> = [];
    for (const [family, window] of this.open) {
      if (window.until <= now) {
        this.open.delete(family);
        expired.push({ family, seq: window.seq });
      }
    }
    return expired;
  }

  /** Closes everything. */
  clear(): void {
    this.open.clear();
  }
}

/**
 * The socket check of a maintenance window: true when a connection with commands in flight has
 * received nothing for `timeoutMs`. Quiet time counts from the later of the last read and the
 * moment the connection was first seen busy (`busySince`, sampled, so the check is never early).
 */
export function socketStalled(now: number, lastReadAt: number, busySince: number, timeoutMs: number): boolean {
  return timeoutMs > 0 && now - Math.max(lastReadAt, busySince) >= timeoutMs;
}

/** Interval of the socket check for a relaxed socket timeout, in ms (a fifth of it, 50–1000). */
export function socketCheckInterval(timeoutMs: number): number {
  return Math.min(1000, Math.max(50, Math.floor(timeoutMs / 5)));
}
