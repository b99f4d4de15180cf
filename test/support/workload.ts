/**
 * Counter-oracle workload for the chaos tests (reliability.md §1.3, the Jepsen-style :ok / :fail / :info version).
 *
 * W sequential workers, each with its own keys (one writer per key), run against a RedisCluster:
 *  - counters: `GET k` (checked against what we know), then `INCR k` (checked against the returned value);
 *  - strings:  `SET k "<k>#<n>"`, then `GET k` must return a value we may have written to *that* key;
 *  - groups:   same-tag `MSET a "<a>#n" b "<b>#n" c "<c>#n"`, then `MGET a b c` must return one consistent n.
 * Every value embeds its key, so a reply that belongs to another key (misrouting, reply desync) is caught.
 *
 * Outcomes of every write are recorded: ok, failed with `executed: 'no'` (an error reply, a command never
 * written), or failed with `executed: 'unknown'` (timed out after being written, connection lost after the
 * write, protocol error). `reconcile()` reads every counter at the end and applies the final check:
 *   ok ≤ V ≤ ok + unknown     (V < ok: acknowledged INCRs lost; V > ok + unknown: executed twice / phantom)
 *
 * Also here: helpers to find hash tags for slots and shards, and a cross-process lock for the chaos cluster
 * (so that chaos spec files never reshape the cluster at the same time, even with parallel jest workers).
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandTimeoutError, ConnectionError, ProtocolError, type RedisCluster } from '../../lib/index.js';
import { keySlot, testServers, type Topology } from './servers.js';

// ---------------------------------------------------------------------------------------------------------------
// Error classification

export type Executed = 'no' | 'unknown';

/**
 * Whether a failed command may have run on the server. Unknown: it was written and then timed out, or its
 * connection broke after the write, or the reply stream was corrupt. Everything else (error replies such as
 * CLUSTERDOWN/TRYAGAIN/MOVED-limit, commands rejected before being written) definitely did not run.
 */
export function executedOf(error: unknown): Executed {
  if (error instanceof CommandTimeoutError) return error.written ? 'unknown' : 'no';
  if (error instanceof ConnectionError) return error.mayHaveRun ? 'unknown' : 'no';
  if (error instanceof ProtocolError) return 'unknown';
  return 'no';
}

function errorName(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name}(${code})` : error.name;
  }
  return typeof error;
}

// ---------------------------------------------------------------------------------------------------------------
// Hash tags

/** A hash tag (text without braces) whose slot is `slot`. */
export function tagForSlot(slot: number, prefix = 't'): string {
  for (let i = 0; ; i++) {
    const tag = `${prefix}${i}`;
    if (keySlot(tag) === slot) return tag;
  }
}

/**
 * A slot owned through `ranges`: `offset` slots into the largest range. Earlier tests may have moved single slots
 * around, so a shard's first range is not necessarily a big one.
 */
export function slotIn(ranges: ReadonlyArray<readonly [number, number]>, offset = 0): number {
  const [start, end] = [...ranges].sort((a, b) => b[1] - b[0] - (a[1] - a[0]))[0]!;
  if (start + offset > end) throw new Error(`no slot ${offset} into range ${start}-${end}`);
  return start + offset;
}

/** `count` distinct tags whose slots fall in `ranges` (each tag in a different slot). */
export function tagsInRanges(ranges: ReadonlyArray<readonly [number, number]>, count: number, prefix = 'r'): string[] {
  const tags: string[] = [];
  const seen = new Set<number>();
  for (let i = 0; tags.length < count; i++) {
    const tag = `${prefix}${i}`;
    const slot = keySlot(tag);
    if (seen.has(slot)) continue;
    if (ranges.some(([a, b]) => slot >= a && slot <= b)) {
      tags.push(tag);
      seen.add(slot);
    }
  }
  return tags;
}

/** `perShard` tags for each master of `topo`, keyed by master port. */
export function tagsPerShard(topo: Topology, perShard: number, prefix = 's'): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const shard of topo.shards) out.set(shard.master.port, tagsInRanges(shard.slots, perShard, `${prefix}${shard.master.port}_`));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The workload

export type OpKind = 'get' | 'incr' | 'set' | 'getset' | 'mset' | 'mget';

/** One finished operation (compact, kept for timelines). */
export interface OpRecord {
  readonly worker: number;
  readonly kind: OpKind;
  readonly tag: string;
  /** Date.now() when issued and when settled. */
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
  readonly error?: string;
  readonly executed?: Executed;
}

export interface WorkloadOptions {
  cluster: RedisCluster;
  /** Unique per test (no braces): all keys start with it. */
  prefix: string;
  /** Hash tags the keys live in; each worker has a counter, a string and a 3-key group per tag. */
  tags: readonly string[];
  /** Tags aimed at more often (e.g. the slots being moved); they should also be listed in `tags`. */
  hotTags?: readonly string[];
  /** Probability that an operation picks a hot tag. @default 0.5 */
  hotRatio?: number;
  /** @default 4 */
  workers?: number;
  /** Relative weights of the three operation pairs. @default { counter: 6, string: 2, group: 2 } */
  mix?: { counter: number; string: number; group: number };
  /** Deadline of single-key commands (ms). @default the client's commandTimeout */
  timeoutMs?: number;
  /** Deadline of MSET/MGET (ms). @default timeoutMs */
  multiTimeoutMs?: number;
}

interface CounterState {
  tag: string;
  /** Our view of the value (last INCR reply, or a resync after a lost-write read). */
  cached: number | undefined;
  ok: number;
  unknown: number;
  no: number;
}

interface ValueState {
  tag: string;
  /** Values a GET may return: what an acked write wrote, plus writes whose outcome is unknown. */
  accept: Set<string>;
  /** True until one write to the key was acknowledged. */
  nullOk: boolean;
  seq: number;
}

export interface Violation {
  readonly kind: 'foreign' | 'malformed' | 'stale' | 'phantom' | 'torn';
  readonly key: string;
  readonly detail: string;
  readonly at: number;
}

export interface ReconcileReport {
  keys: number;
  /** Sum over counters of acknowledged INCRs. */
  acked: number;
  /** INCRs that failed with an unknown outcome. */
  indeterminate: number;
  /** INCRs that failed and definitely did not run. */
  failedNo: number;
  /** Sum of the final values. */
  finalTotal: number;
  /** Σ max(0, ok - V): acknowledged INCRs missing at the end. */
  lost: number;
  /** Σ max(0, V - ok - unknown): more executions than possible: duplicates (or definite failures that ran). */
  duplicated: number;
  perKey: Array<{ key: string; tag: string; ok: number; unknown: number; no: number; final: number }>;
}

export interface WorkloadSummary {
  ops: number;
  okOps: number;
  errors: number;
  errorsByName: Record<string, number>;
  /** Online oracle (§1.3): acked INCRs seen missing, executions beyond what was issued, definite failures that ran. */
  onlineLost: number;
  onlineDup: number;
  onlineNoack: number;
  violations: Violation[];
  maxLatencyMs: number;
  durationMs: number;
}

function pickWeighted<T extends string>(weights: Record<T, number>): T {
  const entries = Object.entries(weights) as Array<[T, number]>;
  const total = entries.reduce((n, [, w]) => n + w, 0);
  let r = Math.random() * total;
  for (const [k, w] of entries) {
    r -= w;
    if (r < 0) return k;
  }
  return entries[entries.length - 1]![0];
}

/**
 * A running workload. `start()`, let the chaos happen, `stop()`, then `summary()` and `reconcile()`.
 * All records are kept in memory (a 20 s run is a few hundred thousand small objects at most).
 */
export class Workload {
  readonly records: OpRecord[] = [];
  readonly violations: Violation[] = [];
  private readonly counters = new Map<string, CounterState>();
  private readonly strings = new Map<string, ValueState>();
  private readonly groups = new Map<string, ValueState & { keys: string[] }>();
  private readonly workerKeys: Array<Map<string, { counter: string; string: string; group: string }>> = [];
  private stopping = false;
  private running: Promise<void>[] = [];
  private startedAt = 0;
  private stoppedAt = 0;
  private onlineLost = 0;
  private onlineDup = 0;
  private onlineNoack = 0;
  private readonly listeners = new Set<(r: OpRecord) => void>();

  constructor(private readonly o: WorkloadOptions) {
    if (/[{}]/.test(o.prefix)) throw new Error('workload prefix must not contain braces');
    const workers = o.workers ?? 4;
    for (let w = 0; w < workers; w++) {
      const byTag = new Map<string, { counter: string; string: string; group: string }>();
      for (const tag of o.tags) {
        const counter = `${o.prefix}:w${w}:n{${tag}}`;
        const str = `${o.prefix}:w${w}:s{${tag}}`;
        const group = `${o.prefix}:w${w}:g{${tag}}`;
        byTag.set(tag, { counter, string: str, group });
        this.counters.set(counter, { tag, cached: undefined, ok: 0, unknown: 0, no: 0 });
        this.strings.set(str, { tag, accept: new Set(), nullOk: true, seq: 0 });
        this.groups.set(group, { tag, accept: new Set(), nullOk: true, seq: 0, keys: ['a', 'b', 'c'].map((s) => `${o.prefix}:w${w}:g${s}{${tag}}`) });
      }
      this.workerKeys.push(byTag);
    }
  }

  /** Every counter key with its tag. */
  get counterKeys(): Array<{ key: string; tag: string }> {
    return [...this.counters].map(([key, s]) => ({ key, tag: s.tag }));
  }

  /** Every key this workload writes (for checks that need the key set). */
  get allKeys(): string[] {
    return [...this.counters.keys(), ...this.strings.keys(), ...[...this.groups.values()].flatMap((g) => g.keys)];
  }

  start(): this {
    if (this.startedAt) throw new Error('already started');
    this.startedAt = Date.now();
    // A workload whose test failed before stop() must not outlive its cluster: it stops when the cluster ends
    // (else it would spin on ClientClosedErrors and keep jest from exiting).
    this.o.cluster.once('end', () => {
      this.stopping = true;
    });
    this.running = this.workerKeys.map((_, w) => this.worker(w));
    return this;
  }

  /** Stops issuing operations and waits for every worker's last one to settle. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
    this.stoppedAt ||= Date.now();
  }

  /** Calls `fn` with every record as it is produced; returns an unsubscribe function. */
  onRecord(fn: (r: OpRecord) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Resolves with the first record (issued at or after `since`) that matches `predicate`, or rejects after
   * `timeoutMs` (a bound that only catches hangs).
   */
  waitFor(predicate: (r: OpRecord) => boolean, timeoutMs: number, what = 'a matching operation'): Promise<OpRecord> {
    const found = this.records.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`workload: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onRecord((r) => {
        if (!predicate(r)) return;
        clearTimeout(timer);
        off();
        resolve(r);
      });
    });
  }

  /** Waits until `n` more operations finished (proves the workload is live), bounded. */
  async waitForOps(n: number, timeoutMs = 10_000): Promise<void> {
    const target = this.records.length + n;
    if (this.records.length >= target) return;
    await this.waitFor(() => this.records.length >= target, timeoutMs, `${n} more operations`);
  }

  summary(): WorkloadSummary {
    const errorsByName: Record<string, number> = {};
    let errors = 0;
    let maxLatencyMs = 0;
    for (const r of this.records) {
      maxLatencyMs = Math.max(maxLatencyMs, r.end - r.start);
      if (!r.ok) {
        errors++;
        errorsByName[r.error!] = (errorsByName[r.error!] ?? 0) + 1;
      }
    }
    return {
      ops: this.records.length,
      okOps: this.records.length - errors,
      errors,
      errorsByName,
      onlineLost: this.onlineLost,
      onlineDup: this.onlineDup,
      onlineNoack: this.onlineNoack,
      violations: [...this.violations],
      maxLatencyMs,
      durationMs: (this.stoppedAt || Date.now()) - this.startedAt,
    };
  }

  /** Failed operations (optionally only those on `tags`). */
  failures(tags?: readonly string[]): OpRecord[] {
    return this.records.filter((r) => !r.ok && (!tags || tags.includes(r.tag)));
  }

  /**
   * Final check after the workload stopped and the faults healed: reads every counter (through `read`,
   * by default the cluster client's GET on the master) and compares with the recorded outcomes.
   */
  async reconcile(read: (key: string) => Promise<string | null> = (key) => this.o.cluster.sendCommand<string | null>(['GET', key], { timeout: 5000 })): Promise<ReconcileReport> {
    if (!this.stopping) throw new Error('stop() the workload before reconcile()');
    const report: ReconcileReport = { keys: 0, acked: 0, indeterminate: 0, failedNo: 0, finalTotal: 0, lost: 0, duplicated: 0, perKey: [] };
    const entries = [...this.counters];
    const finals = await Promise.all(entries.map(([key]) => read(key)));
    entries.forEach(([key, s], i) => {
      const raw = finals[i];
      const v = raw === null || raw === undefined ? 0 : Number(raw);
      if (!Number.isInteger(v)) {
        this.violate('malformed', key, `final value ${String(raw)} is not an integer`);
        return;
      }
      report.keys++;
      report.acked += s.ok;
      report.indeterminate += s.unknown;
      report.failedNo += s.no;
      report.finalTotal += v;
      report.lost += Math.max(0, s.ok - v);
      report.duplicated += Math.max(0, v - s.ok - s.unknown);
      report.perKey.push({ key, tag: s.tag, ok: s.ok, unknown: s.unknown, no: s.no, final: v });
    });
    return report;
  }

  // ---- workers ---------------------------------------------------------------------------------

  private async worker(w: number): Promise<void> {
    const keys = this.workerKeys[w]!;
    const hot = this.o.hotTags ?? [];
    const hotRatio = this.o.hotRatio ?? 0.5;
    const mix = this.o.mix ?? { counter: 6, string: 2, group: 2 };
    while (!this.stopping) {
      const fromHot = hot.length > 0 && Math.random() < hotRatio;
      const pool = fromHot ? hot : this.o.tags;
      const tag = pool[Math.floor(Math.random() * pool.length)]!;
      const k = keys.get(tag)!;
      switch (pickWeighted(mix)) {
        case 'counter':
          await this.counterPair(w, tag, k.counter);
          break;
        case 'string':
          await this.stringPair(w, tag, k.string);
          break;
        case 'group':
          await this.groupPair(w, tag, k.group);
          break;
      }
      // Yield to timers and I/O between operations even when replies come back synchronously fast.
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  private opts(multi = false): { timeout: number } | undefined {
    const t = multi ? (this.o.multiTimeoutMs ?? this.o.timeoutMs) : this.o.timeoutMs;
    return t === undefined ? undefined : { timeout: t };
  }

  private async run<T>(w: number, kind: OpKind, tag: string, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown; executed: Executed }> {
    const start = Date.now();
    try {
      const value = await fn();
      this.record({ worker: w, kind, tag, start, end: Date.now(), ok: true });
      return { ok: true, value };
    } catch (error) {
      const executed = executedOf(error);
      this.record({ worker: w, kind, tag, start, end: Date.now(), ok: false, error: errorName(error), executed });
      return { ok: false, error, executed };
    }
  }

  private record(r: OpRecord): void {
    this.records.push(r);
    for (const fn of this.listeners) fn(r);
  }

  private violate(kind: Violation['kind'], key: string, detail: string): void {
    this.violations.push({ kind, key, detail, at: Date.now() });
  }

  private async counterPair(w: number, tag: string, key: string): Promise<void> {
    const s = this.counters.get(key)!;
    const read = await this.run(w, 'get', tag, () => this.o.cluster.sendCommand<string | null>(['GET', key], this.opts()));
    if (read.ok) {
      const raw = read.value;
      const v = raw === null ? 0 : Number(raw);
      if (raw !== null && (typeof raw !== 'string' || !/^-?\d+$/.test(raw))) {
        this.violate(raw !== null && String(raw).includes('#') ? 'foreign' : 'malformed', key, `GET returned ${JSON.stringify(raw)} for a counter`);
      } else if (s.cached !== undefined) {
        if (v < s.cached) {
          this.onlineLost += s.cached - v;
          this.violate('stale', key, `GET ${v} < last acked INCR ${s.cached}`);
          s.cached = v;
        } else if (v > s.cached + s.unknown) {
          this.onlineNoack += v - s.cached - s.unknown;
          this.violate('phantom', key, `GET ${v} > ${s.cached} + ${s.unknown} unknown`);
        }
      }
    }
    if (this.stopping) return;
    const incr = await this.run(w, 'incr', tag, () => this.o.cluster.sendCommand<number>(['INCR', key], this.opts()));
    if (incr.ok) {
      const r = incr.value;
      if (typeof r !== 'number') {
        this.violate(typeof r === 'string' && String(r).includes('#') ? 'foreign' : 'malformed', key, `INCR returned ${JSON.stringify(r)}`);
        return;
      }
      const e = s.cached;
      if (e !== undefined && r > e + 1 + s.unknown) {
        this.onlineDup += r - e - 1 - s.unknown;
        this.violate('phantom', key, `INCR returned ${r} > ${e} + 1 + ${s.unknown} unknown`);
      }
      if (e !== undefined && r < e + 1) {
        this.onlineLost += e + 1 - r;
        this.violate('stale', key, `INCR returned ${r} < ${e} + 1`);
      }
      s.cached = r;
      s.ok++;
    } else if (incr.executed === 'unknown') s.unknown++;
    else s.no++;
  }

  private async stringPair(w: number, tag: string, key: string): Promise<void> {
    const s = this.strings.get(key)!;
    const value = `${key}#${++s.seq}`;
    const set = await this.run(w, 'set', tag, () => this.o.cluster.sendCommand<string>(['SET', key, value], this.opts()));
    if (set.ok) {
      if (set.value !== 'OK') this.violate('malformed', key, `SET replied ${JSON.stringify(set.value)}`);
      s.accept = new Set([value]);
      s.nullOk = false;
    } else if (set.executed === 'unknown') s.accept.add(value);
    if (this.stopping) return;
    const get = await this.run(w, 'getset', tag, () => this.o.cluster.sendCommand<string | null>(['GET', key], this.opts()));
    if (!get.ok) return;
    this.checkValue(key, get.value, s.accept, s.nullOk);
  }

  private async groupPair(w: number, tag: string, group: string): Promise<void> {
    const g = this.groups.get(group)!;
    const n = ++g.seq;
    const args: string[] = ['MSET'];
    for (const k of g.keys) args.push(k, `${k}#${n}`);
    const mset = await this.run(w, 'mset', tag, () => this.o.cluster.sendCommand<string>(args, this.opts(true)));
    if (mset.ok) {
      g.accept = new Set([String(n)]);
      g.nullOk = false;
    } else if (mset.executed === 'unknown') g.accept.add(String(n));
    if (this.stopping) return;
    const mget = await this.run(w, 'mget', tag, () => this.o.cluster.sendCommand<Array<string | null>>(['MGET', ...g.keys], this.opts(true)));
    if (!mget.ok) return;
    const values = mget.value;
    if (!Array.isArray(values) || values.length !== g.keys.length) {
      this.violate('malformed', group, `MGET returned ${JSON.stringify(values)}`);
      return;
    }
    const seqs = new Set<string>();
    values.forEach((v, i) => {
      const k = g.keys[i]!;
      if (v === null) {
        seqs.add('null');
        return;
      }
      if (typeof v !== 'string' || !v.startsWith(`${k}#`)) {
        this.violate('foreign', k, `MGET element ${i} is ${JSON.stringify(v)}`);
        return;
      }
      seqs.add(v.slice(k.length + 1));
    });
    if (seqs.size > 1) this.violate('torn', group, `MGET saw mixed writes ${[...seqs].join(',')}`);
    const [only] = [...seqs];
    if (seqs.size === 1 && only !== undefined) {
      if (only === 'null' ? !g.nullOk : !g.accept.has(only)) this.violate('stale', group, `MGET saw write ${only}, expected one of ${[...g.accept].join(',') || 'null'}`);
    }
  }

  private checkValue(key: string, v: unknown, accept: Set<string>, nullOk: boolean): void {
    if (v === null) {
      if (!nullOk) this.violate('stale', key, 'GET returned null after an acknowledged SET');
      return;
    }
    if (typeof v !== 'string' || !v.startsWith(`${key}#`)) {
      this.violate('foreign', key, `GET returned ${JSON.stringify(v)}`);
      return;
    }
    if (!accept.has(v)) this.violate('stale', key, `GET returned ${v}, expected one of ${[...accept].join(',')}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Small utilities shared by the chaos specs

/** Polls `check` every `intervalMs` until it returns a truthy value; rejects after `timeoutMs` (a hang guard). */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000, intervalMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Prints one line of measured figures (kept short: jest shows console output per test). */
export function report(scenario: string, figures: Record<string, unknown>): void {
  // eslint-disable-next-line no-console
  console.log(`[chaos] ${scenario}: ${JSON.stringify(figures)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Chaos cluster lock (one chaos spec file at a time, across jest worker processes)

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes an exclusive lock on the chaos cluster (a file with our pid under the test-servers state dir), waiting
 * for another holder to release it or die. Returns the release function.
 */
export async function lockChaosCluster(timeoutMs = 5 * 60_000): Promise<() => void> {
  const dir = testServers().stateDir;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'chaos-tests.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (Number(readFileSync(file, 'utf8')) === process.pid) rmSync(file, { force: true });
        } catch {
          /* gone */
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (!Number.isInteger(holder) || holder <= 0 || !pidAlive(holder)) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`chaos cluster still locked by pid ${holder} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
