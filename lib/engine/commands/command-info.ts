import { createRequire } from 'node:module';
import ioredisCommands from '@ioredis/commands';
import type { RedisArgument } from '../resp/types.js';
import { numberText } from './key-slot.js';

/** What the router needs to know about one command call. */
export interface CommandInfo {
  /** Command name, upper case (the first word for two-word commands, e.g. `OBJECT`). */
  readonly name: string;
  /** Subcommand, upper case, for container commands (`OBJECT ENCODING`, `XGROUP CREATE`, …). */
  readonly subcommand?: string;
  /** The key arguments of this call: the original argument objects, in argv order. */
  readonly keys: RedisArgument[];
  /** Never modifies data: may be served by a replica (TOUCH excepted: it must reach the master). */
  readonly readOnly: boolean;
  /** May block the connection, so it runs on a pooled one (BLPOP…, XREAD/XREADGROUP only with BLOCK; not WAIT/WAITAOF). */
  readonly blocking: boolean;
  /** May modify data (`write` flag, or a script runner that is not `_RO`). */
  readonly write: boolean;
  /** The command is in the command table; when false, ask the server (COMMAND GETKEYS). */
  readonly known: boolean;
  /** Key positions depend on the arguments (EVAL numkeys, XREAD STREAMS, SORT … STORE, …). */
  readonly movableKeys: boolean;
  /** A known command that carries no key in this call: any node can serve it. */
  readonly noKeys: boolean;
  /** A pub/sub command (PUBLISH, SPUBLISH, SUBSCRIBE, …). */
  readonly pubsub: boolean;
  /** Cluster request policy tip from the table (`all_shards`, `all_nodes`, `multi_shard`, `special`). */
  readonly requestPolicy?: string;
  /** Cluster response policy tip from the table (`all_succeeded`, `agg_sum`, …). */
  readonly responsePolicy?: string;
}

interface RawCommand {
  readonly arity: number;
  readonly flags: readonly string[];
  readonly keyStart: number;
  readonly keyStop: number;
  readonly step: number;
  readonly requestPolicy?: string;
  readonly responsePolicy?: string;
  readonly subcommands?: Readonly<Record<string, RawCommand>>;
}

/** Per command (or subcommand) name: everything that does not depend on the arguments. */
interface Spec {
  readonly name: string;
  readonly subcommand: string | undefined;
  /** Lower-case top-level name, as @ioredis/commands expects it. */
  readonly lower: string;
  readonly known: boolean;
  readonly readOnly: boolean;
  readonly write: boolean;
  readonly blocking: boolean;
  readonly movableKeys: boolean;
  readonly pubsub: boolean;
  /** XREAD/XREADGROUP: blocking only when BLOCK is among the arguments. */
  readonly blockingWithBlockToken: boolean;
  readonly keyStart: number;
  readonly keyStop: number;
  readonly step: number;
  readonly requestPolicy: string | undefined;
  readonly responsePolicy: string | undefined;
  readonly subcommands: ReadonlyMap<string, Spec> | undefined;
}

const require = createRequire(import.meta.url);
const TABLE = require('@ioredis/commands/built/commands.json') as Readonly<Record<string, RawCommand>>;

/** Blocking commands, used when the table lacks the command or its `blocking` flag. */
const KNOWN_BLOCKING = new Set([
  'blpop', 'brpop', 'brpoplpush', 'blmove', 'blmpop', 'bzpopmin', 'bzpopmax', 'bzmpop',
]);
/**
 * Flagged `blocking` by the table, but they must run on the connection that carried the writes
 * they wait for (the main connection of the key's master, after them): a fresh pooled connection
 * wrote nothing, so WAIT there reports replication that did not happen.
 */
const RUN_ON_MAIN_CONNECTION = new Set(['wait', 'waitaof']);
/** Blocking only when called with BLOCK. */
const BLOCK_TOKEN_COMMANDS = new Set(['xread', 'xreadgroup']);
/** Flagged `readonly`, but must run on the master (it updates LRU/LFU data used for eviction). */
const MASTER_ONLY_READONLY = new Set(['touch']);

function buildSpec(lower: string, raw: RawCommand | undefined, sub?: string): Spec {
  const flags = new Set(raw?.flags ?? []);
  const blockToken = sub === undefined && BLOCK_TOKEN_COMMANDS.has(lower);
  const readOnly = flags.has('readonly') && !(sub === undefined && MASTER_ONLY_READONLY.has(lower));
  let subcommands: Map<string, Spec> | undefined;
  if (raw?.subcommands) {
    subcommands = new Map();
    for (const [subName, subRaw] of Object.entries(raw.subcommands)) {
      subcommands.set(subName, buildSpec(lower, subRaw, subName));
    }
  }
  return {
    name: lower.toUpperCase(),
    subcommand: sub?.toUpperCase(),
    lower,
    known: raw !== undefined,
    readOnly,
    write: flags.has('write') || (flags.has('script_runner') && !flags.has('readonly')),
    blocking: !blockToken && !(sub === undefined && RUN_ON_MAIN_CONNECTION.has(lower)) && (flags.has('blocking') || (sub === undefined && KNOWN_BLOCKING.has(lower))),
    movableKeys: flags.has('movablekeys'),
    pubsub: flags.has('pubsub'),
    blockingWithBlockToken: blockToken,
    keyStart: raw?.keyStart ?? 0,
    keyStop: raw?.keyStop ?? 0,
    step: raw?.step ?? 0,
    requestPolicy: raw?.requestPolicy,
    responsePolicy: raw?.responsePolicy,
    subcommands,
  };
}

/** Specs by lower-case name, built lazily. */
const SPECS = new Map<string, Spec>();
/** Specs by the exact name text callers use (`GET`, `get`, `Get`…): skips lower-casing on the hot path. */
const BY_RAW_NAME = new Map<string, Spec>();
/** Bound on distinct raw names remembered (callers may send arbitrary names or casings). */
const MAX_RAW_NAMES = 2048;

function specFor(rawName: string): Spec {
  const hit = BY_RAW_NAME.get(rawName);
  if (hit) return hit;
  const lower = rawName.toLowerCase();
  let spec = SPECS.get(lower);
  if (!spec) {
    const raw = Object.prototype.hasOwnProperty.call(TABLE, lower) ? TABLE[lower] : undefined;
    spec = buildSpec(lower, raw);
    if (raw) SPECS.set(lower, spec);
  }
  if (BY_RAW_NAME.size < MAX_RAW_NAMES) BY_RAW_NAME.set(rawName, spec);
  return spec;
}

function argText(arg: RedisArgument | undefined): string {
  if (arg === undefined) return '';
  if (typeof arg === 'string') return arg;
  return typeof arg === 'number' ? numberText(arg) : arg.toString();
}

/** Case-insensitive comparison of an argument with an upper-case ASCII token. */
function isToken(arg: RedisArgument | undefined, token: string): boolean {
  if (arg === undefined || typeof arg === 'number') return false;
  if (arg.length !== token.length) return false;
  return (typeof arg === 'string' ? arg : arg.toString('latin1')).toUpperCase() === token;
}

/** Longest Buffer converted to text for key discovery; longer ones cannot be tokens or counts. */
const MAX_TOKEN_BYTES = 512;

/** String view of the arguments (after the name) for @ioredis/commands, which inspects text. */
function textArgs(argv: readonly RedisArgument[]): string[] {
  const out = new Array<string>(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (typeof arg === 'string') out[i - 1] = arg;
    else if (typeof arg === 'number') out[i - 1] = numberText(arg);
    else out[i - 1] = arg.length <= MAX_TOKEN_BYTES ? arg.toString('latin1') : '\u0000';
  }
  return out;
}

function rangeKeys(spec: Spec, argv: readonly RedisArgument[]): RedisArgument[] {
  const keys: RedisArgument[] = [];
  if (spec.step <= 0) return keys;
  const n = argv.length - 1;
  const start = spec.keyStart - 1;
  const stop = spec.keyStop > 0 ? spec.keyStop : n + spec.keyStop + 1;
  for (let i = start; i < stop && i < n; i += spec.step) {
    if (i >= 0) keys.push(argv[i + 1]!);
  }
  return keys;
}

function movableKeys(spec: Spec, argv: readonly RedisArgument[]): RedisArgument[] {
  const indexes = ioredisCommands.getKeyIndexes(spec.lower, textArgs(argv));
  const keys: RedisArgument[] = [];
  for (const index of indexes) {
    const arg = argv[index + 1];
    if (arg !== undefined) keys.push(arg);
  }
  return keys;
}

function hasBlockToken(argv: readonly RedisArgument[]): boolean {
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (isToken(arg, 'STREAMS')) return false;
    if (isToken(arg, 'BLOCK')) return true;
  }
  return false;
}

/**
 * Routing facts about one command call. `argv` is the full command, name first (`['GET', 'k']`).
 * Per-name facts are cached; only key extraction looks at the arguments.
 */
export function commandInfo(argv: readonly RedisArgument[]): CommandInfo {
  if (argv.length === 0) throw new TypeError('commandInfo: empty argv');
  let spec = specFor(argText(argv[0]));
  if (spec.subcommands !== undefined && argv.length > 1) {
    const sub = spec.subcommands.get(argText(argv[1]).toLowerCase());
    if (sub) spec = sub;
  }
  let keys: RedisArgument[];
  if (!spec.known) keys = [];
  else if (spec.movableKeys && spec.subcommand === undefined) keys = movableKeys(spec, argv);
  else keys = rangeKeys(spec, argv);
  const info: {
    -readonly [K in keyof CommandInfo]: CommandInfo[K];
  } = {
    name: spec.name,
    keys,
    readOnly: spec.readOnly,
    blocking: spec.blockingWithBlockToken ? hasBlockToken(argv) : spec.blocking,
    write: spec.write,
    known: spec.known,
    movableKeys: spec.movableKeys,
    noKeys: spec.known && keys.length === 0,
    pubsub: spec.pubsub,
  };
  if (spec.subcommand !== undefined) info.subcommand = spec.subcommand;
  if (spec.requestPolicy !== undefined) info.requestPolicy = spec.requestPolicy;
  if (spec.responsePolicy !== undefined) info.responsePolicy = spec.responsePolicy;
  return info;
}

/** Whether the command table knows `name` (case-insensitive). */
export function isKnownCommand(name: string): boolean {
  return specFor(name).known;
}

/** The cluster request/response policy tips of a command call (from the command table). */
export interface CommandPolicy {
  /** Command name, upper case, with its subcommand (`SCRIPT LOAD`, `FLUSHALL`). */
  readonly command: string;
  /** `all_shards`, `all_nodes`, `multi_shard` or `special`. */
  readonly request: string;
  /** `all_succeeded`, `one_succeeded`, `agg_sum`, `agg_min`, `agg_max`, `agg_logical_and`, `agg_logical_or`, `special`, or undefined (combine arrays). */
  readonly response: string | undefined;
}

/**
 * The request/response policy of `argv` when the table gives one, else undefined. Cheap enough for
 * every command (one cached lookup by the raw name; a second for container commands). Never throws.
 */
export function commandPolicy(argv: readonly RedisArgument[]): CommandPolicy | undefined {
  const first = nameText(argv[0]);
  if (first === undefined) return undefined;
  let spec = specFor(first);
  if (spec.subcommands !== undefined && argv.length > 1) {
    const second = nameText(argv[1]);
    const sub = second === undefined ? undefined : spec.subcommands.get(second.toLowerCase());
    if (!sub) return undefined;
    spec = sub;
  }
  if (spec.requestPolicy === undefined) return undefined;
  return { command: spec.subcommand ? `${spec.name} ${spec.subcommand}` : spec.name, request: spec.requestPolicy, response: spec.responsePolicy };
}

/** A command or subcommand name as text (short Buffers too); undefined for anything else. */
function nameText(arg: RedisArgument | undefined): string | undefined {
  if (typeof arg === 'string') return arg;
  return Buffer.isBuffer(arg) && arg.length <= 32 ? arg.toString('latin1') : undefined;
}
