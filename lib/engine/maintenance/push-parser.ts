import type { RespValue } from '../resp/types.js';
import type { MaintenanceEndpoint, MaintenanceNotification, MaintenanceNotificationType, SlotMigration, SlotRange } from './types.js';

const TYPES: ReadonlySet<string> = new Set<MaintenanceNotificationType>(['MOVING', 'MIGRATING', 'MIGRATED', 'FAILING_OVER', 'FAILED_OVER', 'SMIGRATING', 'SMIGRATED']);

/** A maintenance push frame whose fields could not be read. */
export class MalformedMaintenancePushError extends Error {
  constructor(
    readonly type: MaintenanceNotificationType,
    problem: string,
  ) {
    super(`malformed ${type} push: ${problem}`);
    this.name = 'MalformedMaintenancePushError';
  }
}

function text(value: RespValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString();
  return undefined;
}

/** The notification kind of a push frame (upper case), or undefined when it is not a maintenance push. */
export function maintenanceTypeOf(frame: readonly RespValue[]): MaintenanceNotificationType | undefined {
  const kind = text(frame[0])?.toUpperCase();
  return kind !== undefined && TYPES.has(kind) ? (kind as MaintenanceNotificationType) : undefined;
}

function integer(type: MaintenanceNotificationType, value: RespValue | undefined, field: string): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else {
    const s = text(value);
    n = s !== undefined && /^-?\d+$/.test(s.trim()) ? Number(s) : NaN;
  }
  if (!Number.isSafeInteger(n)) throw new MalformedMaintenancePushError(type, `${field} is not an integer`);
  return n;
}

/**
 * Parses `host:port`, splitting at the last colon (IPv6 hosts keep theirs; `[::1]:6379` loses
 * its brackets). Returns undefined when the text is not an endpoint.
 */
export function parseEndpoint(value: string): MaintenanceEndpoint | undefined {
  const at = value.lastIndexOf(':');
  if (at <= 0) return undefined;
  let host = value.slice(0, at);
  const portText = value.slice(at + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

function endpoint(type: MaintenanceNotificationType, value: RespValue | undefined, field: string): MaintenanceEndpoint {
  const s = text(value);
  const parsed = s === undefined ? undefined : parseEndpoint(s);
  if (!parsed) throw new MalformedMaintenancePushError(type, `${field} is not host:port`);
  return parsed;
}

/**
 * Parses a slot list such as `"123,456,789-1000"` into inclusive ranges. Throws on anything that
 * is not a slot (0–16383) or an ascending range.
 */
export function parseSlotList(list: string): SlotRange[] {
  const ranges: SlotRange[] = [];
  for (const part of list.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const match = /^(\d+)(?:-(\d+))?$/.exec(item);
    const start = match ? Number(match[1]) : NaN;
    const end = match?.[2] !== undefined ? Number(match[2]) : start;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start > end || end > 16383) throw new RangeError(`"${item}" is not a slot or slot range`);
    ranges.push([start, end]);
  }
  return ranges;
}

function slots(type: MaintenanceNotificationType, value: RespValue | undefined, field: string): SlotRange[] {
  const s = typeof value === 'number' ? String(value) : text(value);
  if (s === undefined) throw new MalformedMaintenancePushError(type, `${field} is not a slot list`);
  try {
    return parseSlotList(s);
  } catch (error) {
    throw new MalformedMaintenancePushError(type, `${field}: ${(error as Error).message}`);
  }
}

/** Optional trailing shard ids: an array of strings/integers, or one string. */
function shards(value: RespValue | undefined): readonly string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value) ? value : [value];
  const out = items.map((item) => (typeof item === 'number' || typeof item === 'bigint' ? String(item) : text(item))).filter((s): s is string => s !== undefined);
  return out.length > 0 ? out : undefined;
}

function migrations(value: RespValue | undefined): SlotMigration[] {
  if (!Array.isArray(value)) throw new MalformedMaintenancePushError('SMIGRATED', 'the migrations are not an array');
  return value.map((entry, i) => {
    if (!Array.isArray(entry)) throw new MalformedMaintenancePushError('SMIGRATED', `entry ${i} is not an array`);
    if (entry.length >= 3) {
      return {
        source: endpoint('SMIGRATED', entry[0], `entry ${i} source`),
        destination: endpoint('SMIGRATED', entry[1], `entry ${i} destination`),
        slots: slots('SMIGRATED', entry[2], `entry ${i} slots`),
      };
    }
    // Older pair layout (destination, slots), still built by some test proxies.
    if (entry.length === 2) {
      return { source: null, destination: endpoint('SMIGRATED', entry[0], `entry ${i} destination`), slots: slots('SMIGRATED', entry[1], `entry ${i} slots`) };
    }
    throw new MalformedMaintenancePushError('SMIGRATED', `entry ${i} has ${entry.length} elements`);
  });
}

/**
 * Parses a RESP3 push frame into a maintenance notification. Returns undefined for pushes that
 * are not maintenance notifications (invalidations, pub/sub…); throws
 * MalformedMaintenancePushError when a maintenance push lacks a field. Accepts simple and bulk
 * strings (or Buffers), integers as numbers, bigints or digit strings, a null endpoint as `_` or
 * the text `null`, and ignores extra trailing elements.
 */
export function parseMaintenancePush(frame: readonly RespValue[]): MaintenanceNotification | undefined {
  const type = maintenanceTypeOf(frame);
  if (type === undefined) return undefined;
  const seq = integer(type, frame[1], 'seq');
  switch (type) {
    case 'MOVING': {
      const timeSeconds = integer(type, frame[2], 'time');
      const raw = frame[3];
      const rawText = text(raw);
      const isNull = raw === null || raw === undefined || rawText?.toLowerCase() === 'null';
      return { type, seq, timeSeconds, endpoint: isNull ? null : endpoint(type, raw, 'endpoint') };
    }
    case 'MIGRATING':
    case 'FAILING_OVER': {
      const timeSeconds = integer(type, frame[2], 'time');
      const ids = shards(frame[3]);
      return ids ? { type, seq, timeSeconds, shards: ids } : { type, seq, timeSeconds };
    }
    case 'MIGRATED':
    case 'FAILED_OVER': {
      const ids = shards(frame[2]);
      return ids ? { type, seq, shards: ids } : { type, seq };
    }
    case 'SMIGRATING':
      return { type, seq, slots: slots(type, frame[2], 'slots') };
    case 'SMIGRATED':
      return { type, seq, migrations: migrations(frame[2]) };
  }
}
