import { defineCommand } from '../command-definition.js';
import type { RedisArgument, RespValue } from '../../resp/types.js';
import { asArray, nullableDouble, passThrough, text } from '../transforms.js';
import { pushVariadic, type VariadicArgument } from './arguments.js';

/** Distance units. */
export type GeoUnits = 'm' | 'km' | 'mi' | 'ft';

/** A position. */
export interface GeoCoordinates {
  longitude: RedisArgument;
  latitude: RedisArgument;
}

/** A member to add at a position. */
export interface GeoMember extends GeoCoordinates {
  member: RedisArgument;
}

/** GEOADD options. */
export interface GeoAddOptions {
  /** Only add new members (NX) / only update existing ones (XX). */
  condition?: 'NX' | 'XX';
  NX?: boolean;
  XX?: boolean;
  /** Count changed members too, not only added ones. */
  CH?: boolean;
}

/** Search centre: an existing member, or coordinates. */
export type GeoSearchFrom = RedisArgument | GeoCoordinates;

/** Search within a radius. */
export interface GeoSearchByRadius {
  radius: number;
  unit: GeoUnits;
}

/** Search within a box centred on the origin. */
export interface GeoSearchByBox {
  width: number;
  height: number;
  unit: GeoUnits;
}

/** Search shape. */
export type GeoSearchBy = GeoSearchByRadius | GeoSearchByBox;

/** GEOSEARCH options. */
export interface GeoSearchOptions {
  /** Sort by distance from the centre. */
  SORT?: 'ASC' | 'DESC';
  /** At most this many results (`ANY`: stop at the first ones found, unsorted). */
  COUNT?: number | { value: number; ANY?: boolean };
}

/** GEOSEARCHSTORE options. */
export interface GeoSearchStoreOptions extends GeoSearchOptions {
  /** Store distances as scores instead of geohashes. */
  STOREDIST?: boolean;
}

/** A GEOPOS position, as text like node-redis. */
export interface GeoPosition {
  longitude: string;
  latitude: string;
}

function pushMember(argv: RedisArgument[], m: GeoMember): void {
  argv.push(m.longitude, m.latitude, m.member);
}

function isCoordinates(value: GeoSearchFrom): value is GeoCoordinates {
  return typeof value === 'object' && !Buffer.isBuffer(value);
}

function pushGeoSearch(
  argv: RedisArgument[],
  key: RedisArgument,
  from: GeoSearchFrom,
  by: GeoSearchBy,
  options: GeoSearchOptions | undefined,
): RedisArgument[] {
  argv.push(key);
  if (isCoordinates(from)) argv.push('FROMLONLAT', from.longitude, from.latitude);
  else argv.push('FROMMEMBER', from);
  if ('radius' in by) argv.push('BYRADIUS', by.radius, by.unit);
  else argv.push('BYBOX', by.width, by.height, by.unit);
  if (options?.SORT) argv.push(options.SORT);
  const count = options?.COUNT;
  if (count) {
    if (typeof count === 'number') argv.push('COUNT', count);
    else {
      argv.push('COUNT', count.value);
      if (count.ANY) argv.push('ANY');
    }
  }
  return argv;
}

function geoPosReply(reply: RespValue): Array<GeoPosition | null> {
  return asArray(reply).map((item) => {
    if (item === null) return null;
    const [longitude, latitude] = asArray(item);
    return { longitude: text(longitude), latitude: text(latitude) };
  });
}

export const GEO_COMMANDS = {
  /** GEOADD: adds members at positions `{ longitude, latitude, member }`; how many were added. */
  geoAdd: defineCommand({
    build: (key: RedisArgument, toAdd: GeoMember | readonly GeoMember[], options?: GeoAddOptions) => {
      const argv: RedisArgument[] = ['GEOADD', key];
      if (options?.condition) argv.push(options.condition);
      else if (options?.NX) argv.push('NX');
      else if (options?.XX) argv.push('XX');
      if (options?.CH) argv.push('CH');
      if (Array.isArray(toAdd)) for (const m of toAdd as readonly GeoMember[]) pushMember(argv, m);
      else pushMember(argv, toAdd as GeoMember);
      return argv;
    },
    transform: passThrough<number>(),
  }),
  /** GEODIST: the distance between two members in `unit` (default metres), or null when one is missing. */
  geoDist: defineCommand({
    build: (key: RedisArgument, member1: RedisArgument, member2: RedisArgument, unit?: GeoUnits) => {
      const argv: RedisArgument[] = ['GEODIST', key, member1, member2];
      if (unit) argv.push(unit);
      return argv;
    },
    transform: nullableDouble,
  }),
  /** GEOPOS: the positions of members (text `{ longitude, latitude }`, null for missing ones). */
  geoPos: defineCommand({
    build: (key: RedisArgument, members: VariadicArgument) => pushVariadic(['GEOPOS', key], members),
    transform: geoPosReply,
  }),
  /** GEOHASH: the 11-character geohash of each member (null for missing ones). */
  geoHash: defineCommand({
    build: (key: RedisArgument, members: VariadicArgument) => pushVariadic(['GEOHASH', key], members),
    transform: passThrough<Array<string | null>>(),
  }),
  /** GEOSEARCH: members within a radius or box around a member or coordinates. */
  geoSearch: defineCommand({
    build: (key: RedisArgument, from: GeoSearchFrom, by: GeoSearchBy, options?: GeoSearchOptions) =>
      pushGeoSearch(['GEOSEARCH'], key, from, by, options),
    transform: passThrough<string[]>(),
  }),
  /** GEOSEARCHSTORE: stores the GEOSEARCH result in `destination` (same slot); how many members. */
  geoSearchStore: defineCommand({
    build: (
      destination: RedisArgument,
      source: RedisArgument,
      from: GeoSearchFrom,
      by: GeoSearchBy,
      options?: GeoSearchStoreOptions,
    ) => {
      const argv = pushGeoSearch(['GEOSEARCHSTORE', destination], source, from, by, options);
      if (options?.STOREDIST) argv.push('STOREDIST');
      return argv;
    },
    transform: passThrough<number>(),
  }),
};
