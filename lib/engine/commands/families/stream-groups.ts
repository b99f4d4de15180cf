import { defineCommand } from '../command-definition.js';
import type { RedisArgument, RespValue } from '../../resp/types.js';
import {
  asArray,
  integer,
  nullableStreamMessage,
  nullableText,
  passThrough,
  streamsMessages,
  text,
  type StreamMessage,
} from '../transforms.js';
import { pushVariadic, unixMilliseconds, type VariadicArgument } from './arguments.js';
import { pushReadOptions, pushXReadStreams, type XReadOptions, type XReadStreams } from './streams.js';

/** XREADGROUP options. */
export interface XReadGroupOptions extends XReadOptions {
  /** Do not add the delivered entries to the pending list. */
  NOACK?: boolean;
  /** Redis 8.4+: also claim pending entries idle for at least this many milliseconds. */
  CLAIM?: number;
}

/** XGROUP CREATE options. */
export interface XGroupCreateOptions {
  /** Create the stream when it does not exist. */
  MKSTREAM?: boolean;
  /** The group's entries-read counter (for lag). */
  ENTRIESREAD?: number;
}

/** XGROUP SETID options. */
export interface XGroupSetIdOptions {
  ENTRIESREAD?: number;
}

/** XPENDING range options. */
export interface XPendingRangeOptions {
  /** Only entries idle for at least this many milliseconds. */
  IDLE?: number;
  /** Only entries of this consumer. */
  consumer?: RedisArgument;
}

/** XCLAIM options. */
export interface XClaimOptions {
  /** Set the idle time in milliseconds. */
  IDLE?: number;
  /** Set the last delivery time (Unix ms or Date). */
  TIME?: number | Date;
  /** Set the delivery counter. */
  RETRYCOUNT?: number;
  /** Create the pending entry even if it does not exist. */
  FORCE?: boolean;
  /** Advance the group's last delivered id. */
  LASTID?: RedisArgument;
}

/** XAUTOCLAIM options. */
export interface XAutoClaimOptions {
  /** Claim at most this many entries (default 100). */
  COUNT?: number;
}

/** XPENDING summary reply. */
export interface XPendingReply {
  pending: number;
  firstId: string | null;
  lastId: string | null;
  consumers: Array<{ name: string; deliveriesCounter: number }> | null;
}

/** One XPENDING range entry. */
export interface XPendingRangeEntry {
  id: string;
  consumer: string;
  millisecondsSinceLastDelivery: number;
  deliveriesCounter: number;
}

/** XAUTOCLAIM reply. */
export interface XAutoClaimReply {
  nextId: string;
  messages: Array<StreamMessage | null>;
  deletedMessages: string[];
}

/** XAUTOCLAIM … JUSTID reply. */
export interface XAutoClaimJustIdReply {
  nextId: string;
  messages: string[];
  deletedMessages: string[];
}

function buildXClaim(
  key: RedisArgument,
  group: RedisArgument,
  consumer: RedisArgument,
  minIdleTime: number,
  ids: VariadicArgument,
  options?: XClaimOptions,
): RedisArgument[] {
  const argv = pushVariadic(['XCLAIM', key, group, consumer, minIdleTime], ids);
  if (options?.IDLE !== undefined) argv.push('IDLE', options.IDLE);
  if (options?.TIME !== undefined) argv.push('TIME', unixMilliseconds(options.TIME));
  if (options?.RETRYCOUNT !== undefined) argv.push('RETRYCOUNT', options.RETRYCOUNT);
  if (options?.FORCE) argv.push('FORCE');
  if (options?.LASTID !== undefined) argv.push('LASTID', options.LASTID);
  return argv;
}

function buildXAutoClaim(
  key: RedisArgument,
  group: RedisArgument,
  consumer: RedisArgument,
  minIdleTime: number,
  start: RedisArgument,
  options?: XAutoClaimOptions,
): RedisArgument[] {
  const argv: RedisArgument[] = ['XAUTOCLAIM', key, group, consumer, minIdleTime, start];
  if (options?.COUNT) argv.push('COUNT', options.COUNT);
  return argv;
}

function xPendingReply(reply: RespValue): XPendingReply {
  const [pending, firstId, lastId, consumers] = asArray(reply);
  return {
    pending: integer(pending),
    firstId: nullableText(firstId),
    lastId: nullableText(lastId),
    consumers:
      consumers === null || consumers === undefined
        ? null
        : asArray(consumers).map((c) => {
            const [name, count] = asArray(c);
            return { name: text(name), deliveriesCounter: integer(count) };
          }),
  };
}

function xPendingRangeReply(reply: RespValue): XPendingRangeEntry[] {
  return asArray(reply).map((entry) => {
    const [id, consumer, idle, deliveries] = asArray(entry);
    return {
      id: text(id),
      consumer: text(consumer),
      millisecondsSinceLastDelivery: integer(idle),
      deliveriesCounter: integer(deliveries),
    };
  });
}

function texts(value: RespValue | undefined): string[] {
  return value === null || value === undefined ? [] : asArray(value).map(text);
}

export const STREAM_GROUP_COMMANDS = {
  /** XREADGROUP: reads as `consumer` of `group`, BLOCK in ms: `[{ name, messages }]`, or null when none. */
  xReadGroup: defineCommand({
    build: (group: RedisArgument, consumer: RedisArgument, streams: XReadStreams, options?: XReadGroupOptions) => {
      const argv = pushReadOptions(['XREADGROUP', 'GROUP', group, consumer], options);
      if (options?.CLAIM !== undefined) argv.push('CLAIM', options.CLAIM);
      if (options?.NOACK) argv.push('NOACK');
      return pushXReadStreams(argv, streams);
    },
    transform: streamsMessages,
  }),
  /** XACK: acknowledges entries of `group`; how many were pending. */
  xAck: defineCommand({
    build: (key: RedisArgument, group: RedisArgument, ids: VariadicArgument) => pushVariadic(['XACK', key, group], ids),
    transform: passThrough<number>(),
  }),
  /** XGROUP CREATE: creates `group` starting after `id` (`'$'`: new entries only); `'OK'`. */
  xGroupCreate: defineCommand({
    build: (key: RedisArgument, group: RedisArgument, id: RedisArgument, options?: XGroupCreateOptions) => {
      const argv: RedisArgument[] = ['XGROUP', 'CREATE', key, group, id];
      if (options?.MKSTREAM) argv.push('MKSTREAM');
      if (options?.ENTRIESREAD !== undefined) argv.push('ENTRIESREAD', options.ENTRIESREAD);
      return argv;
    },
    transform: passThrough<'OK'>(),
  }),
  /** XGROUP DESTROY: deletes `group`; 1 if it existed, 0 otherwise. */
  xGroupDestroy: defineCommand({
    build: (key: RedisArgument, group: RedisArgument) => ['XGROUP', 'DESTROY', key, group],
    transform: passThrough<number>(),
  }),
  /** XGROUP CREATECONSUMER: creates `consumer` in `group`; 1 if created, 0 if it existed. */
  xGroupCreateConsumer: defineCommand({
    build: (key: RedisArgument, group: RedisArgument, consumer: RedisArgument) => [
      'XGROUP', 'CREATECONSUMER', key, group, consumer,
    ],
    transform: passThrough<number>(),
  }),
  /** XGROUP DELCONSUMER: deletes `consumer`; how many pending entries it had. */
  xGroupDelConsumer: defineCommand({
    build: (key: RedisArgument, group: RedisArgument, consumer: RedisArgument) => [
      'XGROUP', 'DELCONSUMER', key, group, consumer,
    ],
    transform: passThrough<number>(),
  }),
  /** XGROUP SETID: sets the group's last delivered id; `'OK'`. */
  xGroupSetId: defineCommand({
    build: (key: RedisArgument, group: RedisArgument, id: RedisArgument, options?: XGroupSetIdOptions) => {
      const argv: RedisArgument[] = ['XGROUP', 'SETID', key, group, id];
      if (options?.ENTRIESREAD !== undefined) argv.push('ENTRIESREAD', options.ENTRIESREAD);
      return argv;
    },
    transform: passThrough<'OK'>(),
  }),
  /** XPENDING (summary): `{ pending, firstId, lastId, consumers: { name, deliveriesCounter }[] | null }`. */
  xPending: defineCommand({
    build: (key: RedisArgument, group: RedisArgument) => ['XPENDING', key, group],
    transform: xPendingReply,
  }),
  /** XPENDING (range): pending entries between `start` and `end`, idle times in ms. */
  xPendingRange: defineCommand({
    build: (
      key: RedisArgument,
      group: RedisArgument,
      start: RedisArgument,
      end: RedisArgument,
      count: number,
      options?: XPendingRangeOptions,
    ) => {
      const argv: RedisArgument[] = ['XPENDING', key, group];
      if (options?.IDLE !== undefined) argv.push('IDLE', options.IDLE);
      argv.push(start, end, count);
      if (options?.consumer !== undefined) argv.push(options.consumer);
      return argv;
    },
    transform: xPendingRangeReply,
  }),
  /** XCLAIM: claims entries idle for at least `minIdleTime` ms; the entries (null for deleted ones). */
  xClaim: defineCommand({
    build: buildXClaim,
    transform: (reply: RespValue): Array<StreamMessage | null> => asArray(reply).map(nullableStreamMessage),
  }),
  /** XCLAIM … JUSTID: claims entries; their ids only. */
  xClaimJustId: defineCommand({
    build: (...args: Parameters<typeof buildXClaim>) => {
      const argv = buildXClaim(...args);
      argv.push('JUSTID');
      return argv;
    },
    transform: passThrough<string[]>(),
  }),
  /** XAUTOCLAIM: claims entries idle ≥ `minIdleTime` ms from `start`: `{ nextId, messages, deletedMessages }`. */
  xAutoClaim: defineCommand({
    build: buildXAutoClaim,
    transform: (reply: RespValue): XAutoClaimReply => {
      const [nextId, messages, deleted] = asArray(reply);
      return {
        nextId: text(nextId),
        messages: messages === null || messages === undefined ? [] : asArray(messages).map(nullableStreamMessage),
        deletedMessages: texts(deleted),
      };
    },
  }),
  /** XAUTOCLAIM … JUSTID: like xAutoClaim with ids only. */
  xAutoClaimJustId: defineCommand({
    build: (...args: Parameters<typeof buildXAutoClaim>) => {
      const argv = buildXAutoClaim(...args);
      argv.push('JUSTID');
      return argv;
    },
    transform: (reply: RespValue): XAutoClaimJustIdReply => {
      const [nextId, messages, deleted] = asArray(reply);
      return { nextId: text(nextId), messages: texts(messages), deletedMessages: texts(deleted) };
    },
  }),
};
