export { RespDecoder } from './decoder.js';
export { CommandEncoder, encodeCommand } from './encoder.js';
export type { RedisArgument, RespValue, RespMap, DecoderSink } from './types.js';
export { checkArguments, SENDABLE } from './argument-check.js';
