import { ClientClosedError, CommandTimeoutDuringMaintenanceError, CommandTimeoutError } from '../errors/base.error.js';
import { RedirectionLimitError, type RedirectStep } from '../errors/cluster.error.js';
import { ConnectionError } from '../errors/connection.error.js';
import { ClusterDownError } from '../errors/reply.error.js';
import type { ClusterNode } from './cluster-node.js';
import type { ExecutorContext } from './executor-context.js';
import { classifyRedirect, resolveRedirectAddress, retryDelay } from './redirect.js';
import type { CallObserver } from '../observability/trace-context.js';

/** Longest redirect history kept for RedirectionLimitError (deadline-bounded waits can be many). */
const MAX_HISTORY = 64;

/**
 * The absolute deadline (epoch ms) of a user call issued now with `timeoutMs` (0 = none), plus
 * `extraMs` (the server-side block time of a blocking command). Infinity when there is none.
 * @internal
 */
export function callDeadline(timeoutMs: number, extraMs = 0, now = Date.now()): number {
  if (!(timeoutMs > 0)) return Infinity;
  const total = timeoutMs + extraMs;
  return Number.isFinite(total) ? now + total : Infinity;
}

/** The call's deadline settings, fixed once when the user call is issued. @internal */
export interface LoopDeadline {
  /** Absolute deadline in epoch ms (Infinity = none). */
  readonly at: number;
  /** The call's whole timeout in ms, as reported by CommandTimeoutError. */
  readonly timeoutMs: number;
}

/** What the retry loop needs from the command executor: its context, routing and backoff timers. @internal */
export interface RetryHost {
  readonly context: ExecutorContext;
  /** The node for a slot (a random master when undefined); undefined when no node serves it. */
  pick(slot: number | undefined, readOnly: boolean, forceMaster: boolean): ClusterNode | undefined;
  /** Runs `retry` after `delayMs` unless the client closes first (then `cancel` gets ClientClosedError). */
  schedule(delayMs: number, retry: () => void, cancel: (error: Error) => void): void;
}

/**
 * The one redirect/retry loop of the cluster layer, shared by single commands, transactions,
 * WATCH sessions, scripts (both halves of NOSCRIPT → EVAL) and each slot group of a split
 * multi-key command. A subclass says how one attempt is sent (`send`); the loop routes it,
 * follows MOVED and ASK (ASK travels atomically with its command), retries TRYAGAIN,
 * CLUSTERDOWN, unavailable nodes and unsent commands of lost connections with bounded backoff,
 * and never lets any of it outlive the call's one absolute deadline.
 *
 * Counting rule: MOVED/ASK hops count against `maxCommandRedirections` (many hops mean a
 * redirect loop, deadline or not). Waits (TRYAGAIN, CLUSTERDOWN, an unavailable or lost node)
 * are bounded by the deadline alone, so that a CLUSTERDOWN lasting most of a long
 * `commandTimeout` still ends as CommandTimeoutError at the deadline, with the last retried
 * error as its cause; only a call without a deadline (`commandTimeout: 0`) counts its waits
 * against `maxCommandRedirections` too.
 *
 * Past the deadline a call rejects with CommandTimeoutError (`written` true when any attempt
 * may have run), never with the error of the hop that happened to be last.
 * @internal
 */
export abstract class RetryLoop<T> {
  protected readonly ctx: ExecutorContext;
  /** MOVED/ASK hops so far. */
  private hops = 0;
  /** Backoff waits so far. */
  private waits = 0;
  private history: RedirectStep[] | undefined;
  /** The node the next attempt goes to (a MOVED/ASK target), instead of routing by slot. */
  protected target: ClusterNode | undefined;
  /** The next attempt carries ASKING (an ASK redirect). */
  protected asking = false;
  protected forceMaster: boolean;
  protected lastNode: ClusterNode | undefined;
  /** The last error that caused a retry (the cause of a later CommandTimeoutError). */
  private lastRetryError: Error | undefined;
  /** Some attempt was written to a socket that then failed, or timed out written: it may have run. */
  protected mayHaveRun = false;
  /** Attempts sent so far. */
  protected attempts = 0;
  /** The call has settled (tracked only once armGuard() was called). */
  protected settled = false;
  /** An attempt is out (sent, its outcome not known yet). */
  private outstanding = false;
  /** The call waited for the lazy connect before its first attempt. */
  protected waitedForTopology = false;
  /** Told the node of each attempt, each MOVED/ASK hop and each retry (tracing, metrics). @internal */
  observer: CallObserver | undefined;

  /** The call's absolute deadline (epoch ms, Infinity = none); NaN until fixed (see {@link at}). */
  private deadlineAt: number;

  constructor(
    protected readonly executor: RetryHost,
    /** Command name for errors (`GET`, `MULTI`, `WATCH`). */
    protected readonly name: string,
    protected readonly slot: number | undefined,
    /**
     * The call's absolute deadline (epoch ms, Infinity = none), or NaN to fix it on first use as
     * `timeoutMs` from then: the hot path lets the first attempt's enqueue fix it (one clock read
     * per call), see {@link adoptDeadline}. A lazy deadline must be fixed before the call's first
     * asynchronous wait; {@link start} and every wait in this class do so.
     */
    deadlineAt: number,
    /** The call's whole timeout in ms (0 = none), as reported by CommandTimeoutError. */
    protected readonly timeoutMs: number,
    /** A read: may go to a replica, and may be retried after a lost connection even when it may have run. */
    protected readonly readOnly: boolean,
    forceMaster: boolean,
    protected resolve: (value: T) => void,
    protected reject: (error: Error) => void,
  ) {
    this.ctx = executor.context;
    this.forceMaster = forceMaster;
    this.deadlineAt = deadlineAt;
  }

  /** The call's absolute deadline in epoch ms (Infinity = none); fixes a lazy one now. */
  protected get at(): number {
    const at = this.deadlineAt;
    if (at === at) return at;
    const timeoutMs = this.timeoutMs;
    return (this.deadlineAt = timeoutMs > 0 && timeoutMs !== Infinity ? Date.now() + timeoutMs : Infinity);
  }

  /** True while the deadline is lazy (not fixed yet: no attempt enqueued, no wait begun). */
  protected get deadlinePending(): boolean {
    return this.deadlineAt !== this.deadlineAt;
  }

  /**
   * Fixes a lazy deadline to the one the connection computed when it queued the first attempt
   * (the same `timeoutMs` from the same tick), so that the call reads the clock once. Ignored
   * when the deadline is already fixed, or for NaN (the enqueue was refused).
   */
  protected adoptDeadline(at: number): void {
    if (this.deadlineAt !== this.deadlineAt) this.deadlineAt = at;
  }

  /** Sends one attempt to `node`; it ends in `this.resolve(value)` or `this.fail(error)`. */
  protected abstract send(node: ClusterNode, asking: boolean): void;

  /** Starts the call: at once when a topology is known, else after the lazy connect (within the deadline). */
  start(): void {
    if (this.ctx.topology.current) this.run();
    else this.runWhenConnected();
  }

  /** Before the first topology (lazy connect): wait for it, but never past the deadline. */
  private runWhenConnected(): void {
    this.waitedForTopology = true;
    const at = this.at;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    if (at !== Infinity) {
      timer = setTimeout(() => {
        done = true;
        this.timedOut();
      }, Math.max(0, at - Date.now()));
    }
    this.ctx.whenTopology().then(
      () => {
        if (timer) clearTimeout(timer);
        if (!done) this.run();
      },
      (error: Error) => {
        if (timer) clearTimeout(timer);
        if (!done) this.reject(error);
      },
    );
  }

  /** One attempt: route (unless a redirect named the node), then send. */
  protected run(): void {
    if (this.ctx.isClosed()) return this.reject(new ClientClosedError());
    // A lazy deadline (NaN) means the call was issued in this very tick: nothing to check yet.
    const at = this.deadlineAt;
    if (at !== Infinity && at === at && Date.now() >= at) return this.timedOut();
    const node = this.target ?? this.executor.pick(this.slot, this.readOnly, this.forceMaster);
    if (!node) {
      this.ctx.topology.requestRefresh();
      return this.retryLater(new ClusterDownError(`CLUSTERDOWN Hash slot ${this.slot ?? '?'} not served (client topology)`), 'CLUSTERDOWN');
    }
    this.lastNode = node;
    this.observer?.onNode(node.host, node.port, node.role);
    const asking = this.asking;
    // ASK applies to this one attempt; a later retry routes by slot again.
    this.asking = false;
    this.target = undefined;
    this.attempts++;
    this.outstanding = true;
    this.send(node, asking);
  }

  /** What is left of the deadline, in ms (Infinity when none; at least 1 while not past it). */
  protected remaining(): number {
    const at = this.at;
    return at === Infinity ? Infinity : Math.max(1, at - Date.now());
  }

  /** The failure of one attempt: redirect, retry after a backoff, or reject. */
  protected readonly fail = (error: Error): void => {
    this.outstanding = false;
    const action = classifyRedirect(error);
    const from = this.lastNode?.address ?? '?';
    switch (action.kind) {
      case 'moved': {
        this.ctx.stats.moved++;
        // Patch with the address the client dials (after nodeAddressMap), which is how the topology knows it.
        const target = this.nodeAt(action.address);
        if (target) this.ctx.topology.patchSlot(action.slot, target.address);
        this.ctx.topology.requestRefresh();
        if (!this.hop(error, { kind: 'MOVED', from, to: action.address, slot: action.slot })) return;
        if (!target) return this.retryLater(error, 'MOVED');
        this.target = target;
        return this.run();
      }
      case 'ask': {
        this.ctx.stats.ask++;
        if (!this.hop(error, { kind: 'ASK', from, to: action.address, slot: action.slot })) return;
        const target = this.nodeAt(action.address);
        if (!target) {
          this.ctx.topology.requestRefresh();
          return this.retryLater(error, 'ASK');
        }
        this.target = target;
        this.asking = true;
        return this.run();
      }
      case 'tryagain':
        this.ctx.stats.tryAgain++;
        return this.retryLater(error, 'TRYAGAIN');
      case 'clusterdown':
      case 'unavailable':
        this.ctx.stats.clusterDown++;
        this.ctx.topology.requestRefresh();
        this.forceMaster = true;
        return this.retryLater(error, 'CLUSTERDOWN');
      case 'none':
        break;
    }
    if (error instanceof ConnectionError) {
      if (error.mayHaveRun) this.mayHaveRun = true;
      this.ctx.topology.requestRefresh();
      if (!error.mayHaveRun || this.readOnly) {
        // Unsent (or read-only) commands of a lost, closed or removed node are re-routed after a refresh.
        this.ctx.stats.connectionRetries++;
        this.forceMaster = true;
        return this.retryLater(error, 'CONNECTION');
      }
      return this.reject(error);
    }
    if (error instanceof CommandTimeoutError) {
      this.ctx.topology.requestRefresh();
      if (error instanceof CommandTimeoutDuringMaintenanceError) return this.reject(error);
      if (error.written) this.mayHaveRun = true;
      return this.timedOut();
    }
    this.reject(error);
  };

  /** Rejects with the call's one CommandTimeoutError. */
  protected timedOut(cause: Error | undefined = this.lastRetryError): void {
    this.reject(new CommandTimeoutError(this.name, this.timeoutMs, this.mayHaveRun, cause ? { cause } : undefined));
  }

  /**
   * For sends that cannot carry the deadline themselves (a MULTI block, a pooled WATCH): settles
   * the call with CommandTimeoutError at the deadline, whatever is still out; a later outcome is
   * ignored. An attempt still out then counts as possibly run.
   */
  protected armGuard(): void {
    const at = this.at;
    if (at === Infinity) return;
    const resolve = this.resolve;
    const reject = this.reject;
    const timer = setTimeout(() => {
      if (this.settled) return;
      if (this.outstanding) this.mayHaveRun = true;
      this.timedOut();
    }, Math.max(0, at - Date.now()));
    this.resolve = (value) => {
      if (this.settled) return;
      this.settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    this.reject = (error) => {
      if (this.settled) return;
      this.settled = true;
      clearTimeout(timer);
      reject(error);
    };
  }

  /** Counts a MOVED/ASK hop; rejects with RedirectionLimitError past `maxCommandRedirections`. */
  private hop(error: Error, step: RedirectStep): boolean {
    this.record(step);
    if (step.kind === 'MOVED' || step.kind === 'ASK') this.observer?.onRedirect(step.kind);
    if (++this.hops > this.ctx.options.maxCommandRedirections) {
      this.reject(new RedirectionLimitError(this.name, this.ctx.options.maxCommandRedirections, this.history ?? [], error));
      return false;
    }
    return true;
  }

  private record(step: RedirectStep): void {
    const history = (this.history ??= []);
    if (history.length >= MAX_HISTORY) history.shift();
    history.push(step);
  }

  /** Retries after a backoff, never past the deadline (then CommandTimeoutError with `error` as cause). */
  protected retryLater(error: Error, kind: RedirectStep['kind']): void {
    this.record({ kind, from: this.lastNode?.address ?? '?' });
    if (kind !== 'MOVED' && kind !== 'ASK') this.observer?.onRetry(kind);
    this.lastRetryError = error;
    this.target = undefined;
    this.asking = false;
    const at = this.at;
    const left = at - Date.now();
    if (left <= 0) return this.timedOut(error);
    if (at === Infinity && this.waits + this.hops >= this.ctx.options.maxCommandRedirections) {
      return this.reject(new RedirectionLimitError(this.name, this.ctx.options.maxCommandRedirections, this.history ?? [], error));
    }
    const delay = retryDelay(this.waits++, left);
    this.executor.schedule(delay, () => this.run(), this.reject);
  }

  /** The node a redirect names, dialled through nodeAddressMap (created as a stray when unknown). */
  private nodeAt(address: string): ClusterNode | undefined {
    const resolved = resolveRedirectAddress(address, this.lastNode?.host ?? '127.0.0.1');
    if (!resolved) return undefined;
    const mapped = this.ctx.options.mapAddress(resolved.host, resolved.port);
    return this.ctx.registry.get(`${mapped.host}:${mapped.port}`) ?? this.ctx.registry.getOrCreate(mapped.host, mapped.port);
  }
}
