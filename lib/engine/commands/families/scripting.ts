import { defineCommand } from '../command-definition.js';
import type { RedisArgument, RespValue } from '../../resp/types.js';
import { asArray, field, nullableText, passThrough, text, toObject } from '../transforms.js';
import { pushVariadic, withFlushMode, type FlushMode, type VariadicArgument } from './arguments.js';

/** EVAL/FCALL inputs, as node-redis's `EvalOptions`. */
export interface EvalOptions {
  /** Key names (all in one slot in a cluster); the script sees them as KEYS. */
  keys?: readonly RedisArgument[];
  /** Other arguments; the script sees them as ARGV. */
  arguments?: readonly RedisArgument[];
}

/** FUNCTION LOAD options. */
export interface FunctionLoadOptions {
  /** Replace a library of the same name. */
  REPLACE?: boolean;
}

/** FUNCTION LIST options. */
export interface FunctionListOptions {
  /** Only libraries whose name matches this pattern. */
  LIBRARYNAME?: RedisArgument;
}

/** One function of a library. */
export interface FunctionListFunction {
  name: string;
  description: string | null;
  flags: string[];
}

/** One library in a FUNCTION LIST reply. */
export interface FunctionListItem {
  library_name: string;
  engine: string;
  functions: FunctionListFunction[];
}

function pushEval(argv: RedisArgument[], options: EvalOptions | undefined): RedisArgument[] {
  const keys = options?.keys;
  if (keys) {
    argv.push(keys.length);
    for (const key of keys) argv.push(key);
  } else {
    argv.push(0);
  }
  if (options?.arguments) for (const arg of options.arguments) argv.push(arg);
  return argv;
}

function functionListReply(reply: RespValue): FunctionListItem[] {
  return asArray(reply).map((library) => {
    const lib = toObject(library);
    const functions = field(lib, 'functions');
    return {
      library_name: text(field(lib, 'library_name')),
      engine: text(field(lib, 'engine')),
      functions: (functions === null || functions === undefined ? [] : asArray(functions)).map((fn) => {
        const f = toObject(fn);
        const flags = field(f, 'flags');
        return {
          name: text(field(f, 'name')),
          description: nullableText(field(f, 'description')),
          flags: flags === null || flags === undefined ? [] : asArray(flags).map(text),
        };
      }),
    };
  });
}

export const SCRIPTING_COMMANDS = {
  /** EVAL: runs a Lua script with `{ keys, arguments }`; the script's reply as decoded. */
  eval: defineCommand({
    build: (script: RedisArgument, options?: EvalOptions) => pushEval(['EVAL', script], options),
  }),
  /** EVALSHA: runs a cached script by SHA1 (NOSCRIPT error when not loaded on that node). */
  evalSha: defineCommand({
    build: (sha1: RedisArgument, options?: EvalOptions) => pushEval(['EVALSHA', sha1], options),
  }),
  /** EVAL_RO: runs a read-only Lua script (may be served by a replica). */
  evalRo: defineCommand({
    build: (script: RedisArgument, options?: EvalOptions) => pushEval(['EVAL_RO', script], options),
  }),
  /** EVALSHA_RO: runs a cached read-only script by SHA1. */
  evalShaRo: defineCommand({
    build: (sha1: RedisArgument, options?: EvalOptions) => pushEval(['EVALSHA_RO', sha1], options),
  }),
  /** FCALL: calls a library function with `{ keys, arguments }`; its reply as decoded. */
  fCall: defineCommand({
    build: (fn: RedisArgument, options?: EvalOptions) => pushEval(['FCALL', fn], options),
  }),
  /** FCALL_RO: calls a read-only (`no-writes`) function. */
  fCallRo: defineCommand({
    build: (fn: RedisArgument, options?: EvalOptions) => pushEval(['FCALL_RO', fn], options),
  }),
  /** SCRIPT LOAD: caches a script; on a cluster, on every master and replica (all_nodes). Its SHA1. */
  scriptLoad: defineCommand({
    build: (script: RedisArgument) => ['SCRIPT', 'LOAD', script],
    transform: passThrough<string>(),
  }),
  /** SCRIPT EXISTS: 1 or 0 per SHA1, whether it is cached; on a cluster, 1 only when cached on every master (agg_logical_and). */
  scriptExists: defineCommand({
    build: (sha1: VariadicArgument) => pushVariadic(['SCRIPT', 'EXISTS'], sha1),
    transform: passThrough<number[]>(),
  }),
  /** SCRIPT FLUSH: empties the script cache; on a cluster, of every master and replica. `'OK'`. */
  scriptFlush: defineCommand({
    build: (mode?: FlushMode) => withFlushMode(['SCRIPT', 'FLUSH'], mode),
    transform: passThrough<'OK'>(),
  }),
  /** FUNCTION LOAD: loads a library (`#!lua name=…` code); on a cluster, on every master (NodeFanOutError if any refuses). The library name. */
  functionLoad: defineCommand({
    build: (code: RedisArgument, options?: FunctionLoadOptions) =>
      options?.REPLACE ? ['FUNCTION', 'LOAD', 'REPLACE', code] : ['FUNCTION', 'LOAD', code],
    transform: passThrough<string>(),
  }),
  /** FUNCTION DELETE: deletes a library; on a cluster, on every master. `'OK'`. */
  functionDelete: defineCommand({
    build: (library: RedisArgument) => ['FUNCTION', 'DELETE', library],
    transform: passThrough<'OK'>(),
  }),
  /** FUNCTION LIST: libraries with their functions: `{ library_name, engine, functions }[]`. */
  functionList: defineCommand({
    build: (options?: FunctionListOptions) =>
      options?.LIBRARYNAME ? ['FUNCTION', 'LIST', 'LIBRARYNAME', options.LIBRARYNAME] : ['FUNCTION', 'LIST'],
    transform: functionListReply,
  }),
  /** FUNCTION DUMP: every library as one opaque payload (a Buffer), from one node (a random master). */
  functionDump: defineCommand({
    build: () => ['FUNCTION', 'DUMP'],
    transform: passThrough<Buffer>(),
    buffers: true,
  }),
  /** FUNCTION RESTORE: loads a FUNCTION DUMP payload; on a cluster, on every master (all_shards). `policy` APPEND (default: an existing library is an error), REPLACE or FLUSH. `'OK'`. */
  functionRestore: defineCommand({
    build: (payload: RedisArgument, policy?: 'FLUSH' | 'APPEND' | 'REPLACE') =>
      policy === undefined ? ['FUNCTION', 'RESTORE', payload] : ['FUNCTION', 'RESTORE', payload, policy],
    transform: passThrough<'OK'>(),
  }),
  /** FUNCTION FLUSH: deletes every library; on a cluster, on every master. `'OK'`. */
  functionFlush: defineCommand({
    build: (mode?: FlushMode) => withFlushMode(['FUNCTION', 'FLUSH'], mode),
    transform: passThrough<'OK'>(),
  }),
};
