import type { CommandArgs, CommandDefinition, CommandResult } from './command-definition.js';
import { BIT_COMMANDS } from './families/bits.js';
import { GEO_COMMANDS } from './families/geo.js';
import { HASH_COMMANDS } from './families/hashes.js';
import { HASH_FIELD_EXPIRATION_COMMANDS } from './families/hash-field-expiration.js';
import { HYPERLOGLOG_COMMANDS } from './families/hyperloglog.js';
import { KEY_COMMANDS } from './families/keys.js';
import { LIST_COMMANDS } from './families/lists.js';
import { SCRIPTING_COMMANDS } from './families/scripting.js';
import { SERVER_COMMANDS } from './families/server.js';
import { SET_COMMANDS } from './families/sets.js';
import { SORTED_SET_RANGE_COMMANDS } from './families/sorted-set-ranges.js';
import { SORTED_SET_COMMANDS } from './families/sorted-sets.js';
import { STREAM_GROUP_COMMANDS } from './families/stream-groups.js';
import { STREAM_INFO_COMMANDS } from './families/stream-info.js';
import { STREAM_COMMANDS } from './families/streams.js';
import { STRING_COMMANDS } from './families/strings.js';
import { nameDefinition } from './validate-command.js';

/** Every typed command, by its node-redis camelCase name (`get`, `hGetAll`, `zRangeWithScores`, …). */
export const COMMANDS = {
  ...STRING_COMMANDS,
  ...BIT_COMMANDS,
  ...KEY_COMMANDS,
  ...HASH_COMMANDS,
  ...HASH_FIELD_EXPIRATION_COMMANDS,
  ...LIST_COMMANDS,
  ...SET_COMMANDS,
  ...SORTED_SET_COMMANDS,
  ...SORTED_SET_RANGE_COMMANDS,
  ...STREAM_COMMANDS,
  ...STREAM_GROUP_COMMANDS,
  ...STREAM_INFO_COMMANDS,
  ...HYPERLOGLOG_COMMANDS,
  ...GEO_COMMANDS,
  ...SCRIPTING_COMMANDS,
  ...SERVER_COMMANDS,
};

/** The families, by name (for tests and documentation). */
export const COMMAND_FAMILIES = {
  strings: STRING_COMMANDS,
  bits: BIT_COMMANDS,
  keys: KEY_COMMANDS,
  hashes: HASH_COMMANDS,
  hashFieldExpiration: HASH_FIELD_EXPIRATION_COMMANDS,
  lists: LIST_COMMANDS,
  sets: SET_COMMANDS,
  sortedSets: SORTED_SET_COMMANDS,
  sortedSetRanges: SORTED_SET_RANGE_COMMANDS,
  streams: STREAM_COMMANDS,
  streamGroups: STREAM_GROUP_COMMANDS,
  streamInfo: STREAM_INFO_COMMANDS,
  hyperLogLog: HYPERLOGLOG_COMMANDS,
  geo: GEO_COMMANDS,
  scripting: SCRIPTING_COMMANDS,
  server: SERVER_COMMANDS,
} as const;

type Defs = typeof COMMANDS;

/** A command method name. */
export type CommandName = keyof Defs;

/** Methods as the client exposes them: each returns a Promise of the command's result. */
export type CommandMethods = {
  [K in keyof Defs]: (...args: CommandArgs<Defs[K]>) => Promise<CommandResult<Defs[K]>>;
};

/** Methods as a pipeline/transaction exposes them: each queues the command and returns the builder. */
export type QueuedCommandMethods<Self> = {
  [K in keyof Defs]: (...args: CommandArgs<Defs[K]>) => Self;
};

/**
 * Installs every COMMANDS entry on a prototype, calling `invoke(def, args)` for each call (with the
 * instance as `this`). Methods are non-enumerable; a method the prototype already has as an own
 * property (e.g. a class's own `scan`) is left in place.
 */
export function installCommands(
  proto: object,
  invoke: (this: unknown, def: CommandDefinition, args: unknown[]) => unknown,
): void {
  for (const name of Object.keys(COMMANDS) as CommandName[]) {
    if (Object.prototype.hasOwnProperty.call(proto, name)) continue;
    const def = COMMANDS[name] as unknown as CommandDefinition;
    nameDefinition(def, name);
    const method = function (this: unknown, ...args: unknown[]): unknown {
      return invoke.call(this, def, args);
    };
    Object.defineProperty(method, 'name', { value: name });
    Object.defineProperty(proto, name, { value: method, writable: true, configurable: true, enumerable: false });
  }
}

export type { SetOptions, GetExOptions, MSetArguments } from './families/strings.js';
export type {
  BitValue,
  BitCountRange,
  BitOperations,
  BitFieldEncoding,
  BitFieldOperations,
  BitFieldRoOperations,
} from './families/bits.js';
export type { ExpireMode, CopyCommandOptions, RestoreOptions, ScanOptions, ScanReply } from './families/keys.js';
export type { HSetArguments, HSetObject, HSetMap, HSetTuples, HashEntry, HScanReply } from './families/hashes.js';
export type { HashFields, HashExpirationCondition, HashExpiration, HGetExOptions, HSetExOptions, HSetExFields } from './families/hash-field-expiration.js';
export type { ListSide, LInsertPosition, LPosOptions, LMPopOptions, LMPopReply, BlockingPopReply } from './families/lists.js';
export type { SInterCardOptions, SScanReply } from './families/sets.js';
export type { SortedSetMember, ZAddOptions, RankWithScore, ZScanReply } from './families/sorted-sets.js';
export type {
  ZRangeOptions,
  ZRangeByScoreOptions,
  ZKeyAndWeight,
  ZKeys,
  ZAggregateOptions,
  ZMPopOptions,
  ZMPopReply,
  BlockingZPopReply,
} from './families/sorted-set-ranges.js';
export type {
  StreamDeletionPolicy,
  XAddOptions,
  XTrimOptions,
  XRangeOptions,
  XReadStream,
  XReadStreams,
  XReadOptions,
} from './families/streams.js';
export type {
  XReadGroupOptions,
  XGroupCreateOptions,
  XGroupSetIdOptions,
  XPendingRangeOptions,
  XClaimOptions,
  XAutoClaimOptions,
  XPendingReply,
  XPendingRangeEntry,
  XAutoClaimReply,
  XAutoClaimJustIdReply,
} from './families/stream-groups.js';
export type { XInfoStreamReply, XInfoGroup, XInfoConsumer } from './families/stream-info.js';
export type {
  GeoUnits,
  GeoCoordinates,
  GeoMember,
  GeoAddOptions,
  GeoSearchFrom,
  GeoSearchBy,
  GeoSearchByRadius,
  GeoSearchByBox,
  GeoSearchOptions,
  GeoSearchStoreOptions,
  GeoPosition,
} from './families/geo.js';
export type {
  EvalOptions,
  FunctionLoadOptions,
  FunctionListOptions,
  FunctionListItem,
  FunctionListFunction,
} from './families/scripting.js';
export type { VariadicArgument, ScanCommonOptions, FlushMode } from './families/arguments.js';
export type { ScoredMember, StreamMessage, StreamMessages } from './transforms.js';
