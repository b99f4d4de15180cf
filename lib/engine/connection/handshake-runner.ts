import type net from 'node:net';
import { AuthError, ConnectionError } from '../errors/connection.error.js';
import { ReplyError } from '../errors/reply.error.js';
import { checkArguments } from '../resp/argument-check.js';
import { CommandEncoder } from '../resp/encoder.js';
import type { RedisArgument } from '../resp/types.js';
import type { Credentials } from '../auth/credentials-source.js';
import type { ResolvedNodeConnectionOptions } from './connection-options.js';
import { commandName } from './command-queue.js';
import { handshakeSteps, isAuthFailure, type HandshakeStep } from './handshake.js';
import { QueuedCommand } from './queued-command.js';

/** Extra handshake commands an owner adds (READONLY, CLIENT TRACKING, re-subscriptions…). */
export interface HandshakeExtension {
  /** Commands sent after authentication, in order, on every (re)connect. */
  steps(): Array<{
    args: RedisArgument[];
    optional?: boolean;
    expectPushes?: { kind: string; count: number; channels?: readonly string[] };
    /** Called with the step's error reply: return an Error to fail the connection with it (fatal on the first connect), or undefined to ignore the failure. */
    onError?: (error: Error) => Error | undefined;
  }>;
}

/** What a handshake needs from its connection. @internal */
export interface HandshakeHost {
  readonly address: string;
  readonly options: ResolvedNodeConnectionOptions;
  readonly extensions: readonly HandshakeExtension[];
  /** Credentials from a provider (they replace `options.username`/`password`). */
  readonly credentials?: Credentials;
  /** Records a command the handshake wrote (its reply is matched in order with the others). */
  addWritten(command: QueuedCommand): void;
  /** True while `socket` is still the connection's socket and the handshake is still wanted. */
  isCurrent(): boolean;
  /** Every step answered (and the server is not loading): the connection is ready. */
  ready(): void;
  /** A step failed in a way that fails this socket. */
  fail(error: Error): void;
}

/** A running handshake; cancel() stops its LOADING re-check timer. @internal */
export interface RunningHandshake {
  cancel(): void;
}

/** Interval of the ready check while the server answers LOADING, in ms. */
const LOADING_RECHECK_MS = 100;

function isLoading(error: Error): boolean {
  return error instanceof ReplyError && error.prefix === 'LOADING';
}

type Step = HandshakeStep & {
  expectPushes?: { kind: string; count: number; channels?: readonly string[] };
  onError?: (error: Error) => Error | undefined;
};

/**
 * Writes the handshake (HELLO/AUTH, CLIENT SETNAME/SETINFO, the ready-check PING, then extension
 * steps) on a freshly connected socket, with its own encoder (user commands queued meanwhile never
 * share its bytes), and calls `host.ready()` once every step answered. While the server answers
 * LOADING (a restart with a large dataset), the ready check is repeated every 100 ms instead of
 * handing user commands to it. Never throws: a step that cannot be encoded fails the socket.
 * @internal
 */
export function runHandshake(socket: net.Socket, host: HandshakeHost): RunningHandshake {
  const encoder = new CommandEncoder();
  const write = (): void => {
    for (const chunk of encoder.take()) socket.write(chunk);
  };
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const current = (): boolean => !cancelled && host.isCurrent();

  const steps: Step[] = handshakeSteps(host.options, host.credentials);
  let loading = false;
  steps.push({ args: ['PING'], optional: true, auth: false, onError: (error) => ((loading = isLoading(error)), undefined) });
  for (const extension of host.extensions) {
    for (const step of extension.steps()) {
      steps.push({ args: step.args, optional: step.optional ?? false, auth: false, expectPushes: step.expectPushes, onError: step.onError });
    }
  }

  const pingUntilLoaded = (): void => {
    if (!current()) return;
    if (!loading) return host.ready();
    timer = setTimeout(() => {
      timer = undefined;
      if (!current()) return;
      loading = false;
      const ping = new QueuedCommand(['PING'], false, 0, Infinity, pingUntilLoaded, (error) => {
        loading = isLoading(error);
        pingUntilLoaded();
      }, undefined, 0);
      encoder.push(['PING']);
      host.addWritten(ping);
      write();
    }, LOADING_RECHECK_MS);
  };

  let remaining = steps.length;
  const stepDone = (): void => {
    if (--remaining === 0) pingUntilLoaded();
  };
  for (const step of steps) {
    const invalid = checkArguments(step.args);
    if (invalid) {
      host.fail(new ConnectionError(host.address, `handshake step ${commandName(step.args)} cannot be sent: ${invalid.message}`, { cause: invalid }));
      return { cancel: () => undefined };
    }
  }
  for (const step of steps) {
    const command = new QueuedCommand(step.args, false, 0, Infinity, stepDone, (error) => {
      if (step.onError) {
        const mapped = step.onError(error);
        if (!mapped) return stepDone();
        if (current()) host.fail(mapped);
        return;
      }
      if (step.optional) return stepDone();
      if (!current()) return;
      const prefix = error instanceof ReplyError ? error.prefix : '';
      host.fail(
        step.auth || isAuthFailure(prefix)
          ? new AuthError(host.address, `authentication failed: ${error.message}`, { cause: error })
          : new ConnectionError(host.address, `handshake command ${commandName(step.args)} failed: ${error.message}`, { cause: error }),
      );
    }, step.expectPushes?.kind, step.expectPushes?.count ?? 0);
    if (step.expectPushes?.channels) command.expectChannels = new Set(step.expectPushes.channels);
    encoder.push(step.args);
    host.addWritten(command);
  }
  write();
  return {
    cancel: () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
