import { defineCommand } from '../command-definition.js';
import type { RedisArgument } from '../../resp/types.js';
import { passThrough } from '../transforms.js';
import { pushVariadic, type VariadicArgument } from './arguments.js';

/** A bit. */
export type BitValue = 0 | 1;

/** BITCOUNT range (bytes by default, or bits with `mode: 'BIT'`). */
export interface BitCountRange {
  start: number;
  end: number;
  mode?: 'BYTE' | 'BIT';
}

/** BITOP operations (DIFF, DIFF1, ANDOR and ONE need Redis 8.2+). */
export type BitOperations = 'AND' | 'OR' | 'XOR' | 'NOT' | 'DIFF' | 'DIFF1' | 'ANDOR' | 'ONE';

/** BITFIELD integer encoding: `i8`, `u16`, … */
export type BitFieldEncoding = `${'i' | 'u'}${number}`;

/** BITFIELD GET. */
export interface BitFieldGetOperation {
  operation: 'GET';
  encoding: BitFieldEncoding;
  offset: number | string;
}
/** BITFIELD SET. */
export interface BitFieldSetOperation {
  operation: 'SET';
  encoding: BitFieldEncoding;
  offset: number | string;
  value: number;
}
/** BITFIELD INCRBY. */
export interface BitFieldIncrByOperation {
  operation: 'INCRBY';
  encoding: BitFieldEncoding;
  offset: number | string;
  increment: number;
}
/** BITFIELD OVERFLOW (WRAP, SAT or FAIL) for the operations that follow. */
export interface BitFieldOverflowOperation {
  operation: 'OVERFLOW';
  behavior: string;
}
/** BITFIELD operations, in order. */
export type BitFieldOperations = Array<
  BitFieldGetOperation | BitFieldSetOperation | BitFieldIncrByOperation | BitFieldOverflowOperation
>;
/** BITFIELD_RO operations (GET only). */
export type BitFieldRoOperations = Array<Omit<BitFieldGetOperation, 'operation'>>;

export const BIT_COMMANDS = {
  /** SETBIT: sets the bit at `offset`; the previous bit. */
  setBit: defineCommand({
    build: (key: RedisArgument, offset: number, value: BitValue) => ['SETBIT', key, offset, value],
    transform: passThrough<BitValue>(),
  }),
  /** GETBIT: the bit at `offset` (0 beyond the end). */
  getBit: defineCommand({
    build: (key: RedisArgument, offset: number) => ['GETBIT', key, offset],
    transform: passThrough<BitValue>(),
  }),
  /** BITCOUNT: the number of set bits, optionally within a byte (or bit) range. */
  bitCount: defineCommand({
    build: (key: RedisArgument, range?: BitCountRange) => {
      const argv: RedisArgument[] = ['BITCOUNT', key];
      if (range) {
        argv.push(range.start, range.end);
        if (range.mode) argv.push(range.mode);
      }
      return argv;
    },
    transform: passThrough<number>(),
  }),
  /** BITPOS: the position of the first `bit` (0 or 1), optionally within a range; -1 when none. */
  bitPos: defineCommand({
    build: (key: RedisArgument, bit: BitValue, start?: number, end?: number, mode?: 'BYTE' | 'BIT') => {
      const argv: RedisArgument[] = ['BITPOS', key, bit];
      if (start !== undefined) argv.push(start);
      if (end !== undefined) argv.push(end);
      if (mode) argv.push(mode);
      return argv;
    },
    transform: passThrough<number>(),
  }),
  /** BITOP: stores `operation` over `keys` into `destKey`; the length of the result in bytes. */
  bitOp: defineCommand({
    build: (operation: BitOperations, destKey: RedisArgument, keys: VariadicArgument) =>
      pushVariadic(['BITOP', operation, destKey], keys),
    transform: passThrough<number>(),
  }),
  /** BITFIELD: runs the operations in order; one integer (or null after OVERFLOW FAIL) per GET/SET/INCRBY. */
  bitField: defineCommand({
    build: (key: RedisArgument, operations: BitFieldOperations) => {
      const argv: RedisArgument[] = ['BITFIELD', key];
      for (const op of operations) {
        switch (op.operation) {
          case 'GET':
            argv.push('GET', op.encoding, op.offset);
            break;
          case 'SET':
            argv.push('SET', op.encoding, op.offset, op.value);
            break;
          case 'INCRBY':
            argv.push('INCRBY', op.encoding, op.offset, op.increment);
            break;
          case 'OVERFLOW':
            argv.push('OVERFLOW', op.behavior);
            break;
        }
      }
      return argv;
    },
    transform: passThrough<Array<number | null>>(),
  }),
  /** BITFIELD_RO: read-only BITFIELD (GET operations); one integer per operation. */
  bitFieldRo: defineCommand({
    build: (key: RedisArgument, operations: BitFieldRoOperations) => {
      const argv: RedisArgument[] = ['BITFIELD_RO', key];
      for (const op of operations) argv.push('GET', op.encoding, op.offset);
      return argv;
    },
    transform: passThrough<number[]>(),
  }),
};
