import { defineCommand } from '../command-definition.js';
import type { RedisArgument, RespValue } from '../../resp/types.js';
import {
  asArray,
  field,
  forEachPair,
  integer,
  nullableInteger,
  nullableStreamMessage,
  text,
  toObject,
  type StreamMessage,
} from '../transforms.js';

/** XINFO STREAM reply (field names as the server sends them; later servers add more fields). */
export interface XInfoStreamReply {
  length: number;
  'radix-tree-keys': number;
  'radix-tree-nodes': number;
  'last-generated-id': string;
  /** Redis 7.0+. */
  'max-deleted-entry-id'?: string;
  /** Redis 7.0+. */
  'entries-added'?: number;
  /** Redis 7.0+. */
  'recorded-first-entry-id'?: string;
  groups: number;
  'first-entry': StreamMessage | null;
  'last-entry': StreamMessage | null;
  /** Fields of newer servers (e.g. `idmp-duration`), as decoded. */
  [field: string]: unknown;
}

/** One XINFO GROUPS entry. */
export interface XInfoGroup {
  name: string;
  consumers: number;
  pending: number;
  'last-delivered-id': string;
  /** Redis 7.0+: entries read by the group (null when unknown). */
  'entries-read': number | null;
  /** Redis 7.0+: entries not yet delivered (null when it cannot be computed). */
  lag: number | null;
}

/** One XINFO CONSUMERS entry (idle/inactive in milliseconds). */
export interface XInfoConsumer {
  name: string;
  pending: number;
  /** Milliseconds since the consumer's last attempted interaction. */
  idle: number;
  /** Redis 7.2+: milliseconds since the last successful interaction (-1: never). */
  inactive: number;
}

function xInfoStreamReply(reply: RespValue): XInfoStreamReply {
  const out = Object.create(null) as Record<string, unknown>;
  forEachPair(reply, (name, value) => {
    out[name] = name === 'first-entry' || name === 'last-entry' ? nullableStreamMessage(value) : value;
  });
  return out as XInfoStreamReply;
}

function xInfoGroup(entry: RespValue): XInfoGroup {
  const record = toObject(entry);
  return {
    name: text(field(record, 'name')),
    consumers: integer(field(record, 'consumers')),
    pending: integer(field(record, 'pending')),
    'last-delivered-id': text(field(record, 'last-delivered-id')),
    'entries-read': nullableInteger(field(record, 'entries-read')),
    lag: nullableInteger(field(record, 'lag')),
  };
}

function xInfoConsumer(entry: RespValue): XInfoConsumer {
  const record = toObject(entry);
  const inactive = field(record, 'inactive');
  return {
    name: text(field(record, 'name')),
    pending: integer(field(record, 'pending')),
    idle: integer(field(record, 'idle')),
    inactive: inactive === undefined || inactive === null ? -1 : integer(inactive),
  };
}

export const STREAM_INFO_COMMANDS = {
  /** XINFO STREAM: length, radix-tree stats, ids, group count and first/last entries of the stream. */
  xInfoStream: defineCommand({
    build: (key: RedisArgument) => ['XINFO', 'STREAM', key],
    transform: xInfoStreamReply,
  }),
  /** XINFO GROUPS: the stream's consumer groups. */
  xInfoGroups: defineCommand({
    build: (key: RedisArgument) => ['XINFO', 'GROUPS', key],
    transform: (reply: RespValue): XInfoGroup[] => asArray(reply).map(xInfoGroup),
  }),
  /** XINFO CONSUMERS: the consumers of `group` (idle/inactive in ms). */
  xInfoConsumers: defineCommand({
    build: (key: RedisArgument, group: RedisArgument) => ['XINFO', 'CONSUMERS', key, group],
    transform: (reply: RespValue): XInfoConsumer[] => asArray(reply).map(xInfoConsumer),
  }),
};
