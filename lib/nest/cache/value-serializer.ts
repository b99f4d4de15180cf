import { parse, stringify } from 'devalue';
import { ConfigError } from '../../engine/errors/base.error.js';
import type { CacheableClass, CacheSerializer } from '../interfaces/cache-options.interface.js';

const CLASS_NAME = /^[A-Za-z_$][\w$]*$/;

const TYPED_ARRAYS: Record<string, new (buffer: ArrayBuffer) => ArrayBufferView> = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
};

/**
 * A typed array that views part of a larger buffer (e.g. a slice of Node's shared Buffer pool):
 * devalue would store the whole underlying buffer, so only the viewed bytes are stored.
 */
function reducePartialView(value: unknown): false | [string, string] {
  if (!ArrayBuffer.isView(value) || Buffer.isBuffer(value) || value instanceof DataView) return false;
  if (value.byteOffset === 0 && value.byteLength === value.buffer.byteLength) return false;
  const name = Object.prototype.toString.call(value).slice(8, -1);
  if (!(name in TYPED_ARRAYS)) return false;
  return [name, Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')];
}

function revivePartialView(data: unknown): ArrayBufferView {
  const [name, base64] = data as [string, string];
  const type = Object.prototype.hasOwnProperty.call(TYPED_ARRAYS, name) ? TYPED_ARRAYS[name] : undefined;
  if (type === undefined) throw new TypeError('unknown typed array in a cache entry');
  const bytes = Buffer.from(base64, 'base64');
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return new type(copy);
}

/**
 * The default serializer: devalue (tagged JSON). Round-trips `undefined`, `null`, `-0`, `NaN`,
 * `±Infinity`, BigInt, Date, Map, Set, RegExp, URL, URLSearchParams, typed arrays, ArrayBuffer,
 * Buffer (revived as a Buffer), sparse arrays, repeated and cyclic references. Instances of the
 * classes in `classes` (keyed by the name given there, not by `constructor.name`, so minifiers do
 * not matter) are stored as their own enumerable fields and revived with that class's prototype
 * (the constructor is not called). Any other class instance makes the write fail (logged, nothing
 * stored; the method's result is still returned), never a hit with a different shape.
 * @param classes e.g. `{ Product, Money }`
 * @throws ConfigError (`cache.classes.<name>`) for a name or value that is not a class
 */
export function devalueSerializer(classes: Readonly<Record<string, CacheableClass>> = {}): CacheSerializer {
  const reducers: Record<string, (value: unknown) => unknown> = {
    Buffer: (value) => Buffer.isBuffer(value) && value.toString('base64'),
    View: reducePartialView,
  };
  const revivers: Record<string, (value: unknown) => unknown> = {
    Buffer: (value) => Buffer.from(value as string, 'base64'),
    View: revivePartialView,
  };
  for (const [name, type] of Object.entries(classes)) {
    if (!CLASS_NAME.test(name)) throw new ConfigError(`cache.classes.${name}`, 'must be named like an identifier');
    if (typeof type !== 'function' || typeof type.prototype !== 'object') throw new ConfigError(`cache.classes.${name}`, 'must be a class');
    const tag = `class:${name}`;
    reducers[tag] = (value) => value instanceof type && Object.getPrototypeOf(value) === type.prototype && { ...value };
    revivers[tag] = (fields) => Object.assign(Object.create(type.prototype as object) as object, fields as object);
  }
  return {
    serialize: (value) => stringify(value, reducers),
    deserialize: (raw) => parse(raw, revivers) as unknown,
  };
}
