import { ArgumentError, describeArgumentKind } from '../errors/base.error.js';
import { SENDABLE } from '../resp/argument-check.js';
import type { RedisArgument } from '../resp/types.js';
import { keySlot } from './key-slot.js';
import { isSendable } from './validate-command.js';

/**
 * A WAIT or WAITAOF call tied to a key: routed to the master of the key's slot, on its main
 * connection, after the writes issued before it there. `timeoutMs` is the server-side wait.
 * @internal
 */
export interface WaitCall {
  readonly argv: RedisArgument[];
  readonly slot: number;
  readonly timeoutMs: number;
}

function count(value: unknown, command: string, position: number, name: string, max = Number.MAX_SAFE_INTEGER): ArgumentError | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max) return undefined;
  return new ArgumentError(command, position, max === 1 ? '0 or 1' : 'a non-negative integer', describeArgumentKind(value), name);
}

function timeout(value: unknown, command: string, position: number): ArgumentError | undefined {
  // 0 would mean "wait for ever" and hold the node's shared connection: refused.
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 2_147_483_647) return undefined;
  return new ArgumentError(command, position, 'an integer number of milliseconds from 1 (0, "for ever", would hold the shared connection)', describeArgumentKind(value), 'timeoutMs');
}

function keyError(key: unknown, command: string): ArgumentError | undefined {
  return isSendable(key) ? undefined : new ArgumentError(command, 0, SENDABLE, describeArgumentKind(key), 'key');
}

/** `WAIT numReplicas timeoutMs` for the master of `key`, or the ArgumentError. Never throws. */
export function waitCall(key: unknown, numReplicas: unknown, timeoutMs: unknown): WaitCall | ArgumentError {
  const bad = keyError(key, 'WAIT') ?? count(numReplicas, 'WAIT', 1, 'numReplicas') ?? timeout(timeoutMs, 'WAIT', 2);
  if (bad) return bad;
  return { argv: ['WAIT', numReplicas as number, timeoutMs as number], slot: keySlot(key as RedisArgument), timeoutMs: timeoutMs as number };
}

/** `WAITAOF numLocal numReplicas timeoutMs` (Redis 7.2+) for the master of `key`, or the ArgumentError. Never throws. */
export function waitAofCall(key: unknown, numLocal: unknown, numReplicas: unknown, timeoutMs: unknown): WaitCall | ArgumentError {
  const bad = keyError(key, 'WAITAOF') ?? count(numLocal, 'WAITAOF', 1, 'numLocal', 1) ?? count(numReplicas, 'WAITAOF', 2, 'numReplicas') ?? timeout(timeoutMs, 'WAITAOF', 3);
  if (bad) return bad;
  return { argv: ['WAITAOF', numLocal as number, numReplicas as number, timeoutMs as number], slot: keySlot(key as RedisArgument), timeoutMs: timeoutMs as number };
}
