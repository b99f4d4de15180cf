import type net from 'node:net';
import { ClientClosedError, ClientOfflineError, CommandTimeoutDuringMaintenanceError, CommandTimeoutError, ProtocolError, QueueFullError } from '../errors/base.error.js';
import {
  AuthError,
  ConnectionClosedError,
  ConnectionError,
  ConnectTimeoutError,
  HandshakeRefusedError,
  ReconnectStrategyError,
  TlsError,
} from '../errors/connection.error.js';
import { ReplyError } from '../errors/reply.error.js';
import { checkArguments } from '../resp/argument-check.js';
import { CommandEncoder } from '../resp/encoder.js';
import { RespDecoder } from '../resp/decoder.js';
import type { DecoderSink, RedisArgument, RespValue } from '../resp/types.js';
import { Deque } from '../util/deque.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { resolveNodeConnectionOptions, type NodeConnectionOptions, type ResolvedNodeConnectionOptions } from './connection-options.js';
import { DeadlineTimer } from './deadline-timer.js';
import { handshakeSteps, isAuthFailure, type HandshakeStep } from './handshake.js';
import { CommandState, QueuedCommand, type CommandOptions } from './queued-command.js';
import { decideReconnect } from './reconnect-strategy.js';
import { createSocket, isTlsError } from './socket-factory.js';

const PUBSUB_KINDS = new Set(['message', 'pmessage', 'smessage', 'subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe']);

/** The lower-case kind of a push frame (`message`, `invalidate`, `subscribe`…). @internal */
export function kindOf(frame: RespValue[]): string {
  const first = frame[0];
  return typeof first === 'string' ? first.toLowerCase() : Buffer.isBuffer(first) ? first.toString().toLowerCase() : '';
}

/** A frame element as text (channel names arrive as Buffers on subscriber connections). @internal */
export function textOf(value: RespValue | undefined): string {
  return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString() : String(value);
}

/** The upper-case command name of a checked argv, for error messages. */
function commandName(args: readonly RedisArgument[]): string {
  const first = args[0];
  return typeof first === 'string' ? first.toUpperCase() : 'command';
}

const ASKING: readonly RedisArgument[] = ['ASKING'];
const noop = (): void => undefined;

function isLoading(error: Error): boolean {
  return error instanceof ReplyError && error.prefix === 'LOADING';
}

function isPubSubFrame(frame: RespValue[]): boolean {
  return PUBSUB_KINDS.has(kindOf(frame));
}

/** Events of a node connection. */
export type NodeConnectionEvents = {
  /** The TCP/TLS socket connected (before the Redis handshake). */
  connect: [];
  /** The handshake finished; commands flow. */
  ready: [];
  /** The connection was closed by close()/destroy() or gave up reconnecting; it will not reconnect. */
  end: [];
  /** A socket, handshake or strategy error. The connection keeps reconnecting unless `end` follows. */
  error: [error: Error];
  /** A reconnect attempt starts after `delayMs`. */
  reconnecting: [info: { attempt: number; delayMs: number; cause: Error }];
  /** A RESP3 push frame not consumed by a pending command (pub/sub, invalidation, maintenance). */
  push: [frame: RespValue[]];
};

type State = 'idle' | 'connecting' | 'ready' | 'waiting' | 'closing' | 'closed';

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

/**
 * One socket to one Redis node: handshake, auto-pipelined writes (all commands issued in one
 * turn of the event loop leave in one socket write), in-order reply matching, deadlines,
 * bounded offline queue, reconnection, push dispatch.
 */
export class NodeConnection extends TypedEmitter<NodeConnectionEvents> {
  /** @internal */ readonly options: ResolvedNodeConnectionOptions;
  private state: State = 'idle';
  private socket: net.Socket | undefined;
  private readonly pending = new Deque<QueuedCommand>();
  private readonly inflight = new Deque<QueuedCommand>();
  private readonly encoder = new CommandEncoder();
  private readonly decoder: RespDecoder;
  private readonly deadlines: DeadlineTimer;
  private flushScheduled = false;
  private waitingDrain = false;
  private retries = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  /** @internal Epoch ms of the last bytes read (idle checks, maintenance socket timeouts). */
  lastReadAt = 0;
  private everReady = false;
  private connectWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private closeWaiters: Array<() => void> = [];
  private closeFallback: NodeJS.Timeout | undefined;
  private socketClosing = false;
  private extensions: HandshakeExtension[] = [];
  private relaxedTimeout: number | undefined;
  /** Push frames are decoded as Buffers when true (set by the pub/sub layer for Buffer listeners). */
  pushBuffers = false;
  /** @internal Set by the pub/sub layer: RESP2 arrays that look like pub/sub frames are pushes. */
  resp2PubSub = false;

  constructor(options: NodeConnectionOptions | ResolvedNodeConnectionOptions, resolved = false) {
    super();
    this.options = resolved ? (options as ResolvedNodeConnectionOptions) : resolveNodeConnectionOptions(options as NodeConnectionOptions);
    const sink: DecoderSink = {
      onReply: (value) => this.onReply(value),
      onErrorReply: (error) => this.onErrorReply(error),
      onPush: (frame) => this.onPush(frame),
      wantBuffers: (isPush) => (isPush ? this.pushBuffers : (this.inflight.peek()?.buffers ?? (this.resp2PubSub && this.pushBuffers))),
    };
    this.decoder = new RespDecoder(sink);
    this.deadlines = new DeadlineTimer(
      () => [this.pending, this.inflight],
      (command) =>
        command.fail(
          command.relaxed
            ? new CommandTimeoutDuringMaintenanceError(command.name, command.timeoutMs, command.state === CommandState.Written)
            : new CommandTimeoutError(command.name, command.timeoutMs, command.state === CommandState.Written),
        ),
    );
  }

  /** `host:port` of the node. */
  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** True while a socket exists or is being (re)opened (not after close/destroy or giving up). */
  get isOpen(): boolean {
    return this.state === 'connecting' || this.state === 'ready' || this.state === 'waiting';
  }

  /** True when the handshake is done and commands are written straight away. */
  get isReady(): boolean {
    return this.state === 'ready';
  }

  /** True while waiting to reconnect after a lost socket (commands queue meanwhile). */
  get isReconnecting(): boolean {
    return this.state === 'waiting' || (this.state === 'connecting' && this.everReady);
  }

  /** Number of commands written and awaiting a reply. */
  get inflightCount(): number {
    return this.inflight.length;
  }

  /** Number of commands waiting to be written. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Extends the deadline of every command (queued, in flight and issued from now on) to at least
   * `timeoutMs` from when it was issued, for a maintenance window. Timeouts that then expire
   * reject with CommandTimeoutDuringMaintenanceError.
   */
  relaxTimeouts(timeoutMs: number): void {
    this.relaxedTimeout = timeoutMs;
    for (const queue of [this.pending, this.inflight]) {
      for (const command of queue) this.relax(command, timeoutMs);
    }
  }

  /** Ends a maintenance window: commands issued from now on get the normal deadline again. */
  restoreTimeouts(): void {
    this.relaxedTimeout = undefined;
  }

  /** True while timeouts are relaxed for a maintenance window. */
  get inMaintenance(): boolean {
    return this.relaxedTimeout !== undefined;
  }

  private relax(command: QueuedCommand, timeoutMs: number): void {
    if (command.state === CommandState.Settled || command.timeoutMs <= 0 || command.timeoutMs >= timeoutMs) return;
    command.deadline += timeoutMs - command.timeoutMs;
    command.timeoutMs = timeoutMs;
    command.relaxed = true;
  }

  /** @internal Adds handshake steps run on every (re)connect, after authentication. */
  addHandshakeExtension(extension: HandshakeExtension): void {
    this.extensions.push(extension);
  }

  /**
   * Opens the connection and resolves when it is ready. Rejects when the reconnect strategy gives
   * up, or at once on a refused password or an untrusted TLS certificate.
   */
  connect(): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    if (this.state === 'closing' || this.state === 'closed') return Promise.reject(new ClientClosedError());
    const promise = new Promise<void>((resolve, reject) => this.connectWaiters.push({ resolve, reject }));
    if (this.state === 'idle') this.openSocket();
    return promise;
  }

  /**
   * Sends one command. It is written with every other command issued in the same turn of the
   * event loop, and rejects with CommandTimeoutError if it does not settle within its deadline.
   */
  sendCommand<T = RespValue>(args: readonly RedisArgument[], options?: CommandOptions): Promise<T> {
    return new Promise<RespValue>((resolve, reject) => this.enqueue(args, options, resolve, reject)) as Promise<T>;
  }

  /**
   * @internal Queues a command with explicit callbacks (no promise), used by batch senders. Never
   * throws: every failure (bad arguments, closed, offline, queue full, deadline already past) is
   * reported through `reject`, and nothing is queued for it.
   */
  enqueue(
    args: readonly RedisArgument[],
    options: CommandOptions | undefined,
    resolve: (value: RespValue) => void,
    reject: (error: Error) => void,
  ): void {
    const invalid = checkArguments(args);
    if (invalid) return reject(invalid);
    const refused = this.refusal(1);
    if (refused) return reject(refused);
    const now = Date.now();
    const absolute = options?.deadline;
    let timeoutMs: number;
    let deadline: number;
    if (absolute !== undefined) {
      // An absolute deadline (what is left of a cluster-level call's one deadline) wins over `timeout`.
      timeoutMs = options?.timeout ?? Math.max(0, absolute - now);
      deadline = absolute;
      if (!(absolute > now)) return reject(new CommandTimeoutError(commandName(args), timeoutMs, false));
    } else {
      timeoutMs = options?.timeout ?? this.options.commandTimeout;
      deadline = timeoutMs > 0 ? now + timeoutMs : Infinity;
    }
    const expect = options?.expectPushes;
    const command = new QueuedCommand(args, options?.returnBuffers ?? false, timeoutMs, deadline, resolve, reject, expect?.kind, expect?.count ?? 0);
    if (expect?.channels) command.expectChannels = new Set(expect.channels);
    if (options?.asking === true) command.asking = true;
    if (this.relaxedTimeout !== undefined) this.relax(command, this.relaxedTimeout);
    this.pending.push(command);
    if (deadline !== Infinity) this.deadlines.watch(command.deadline);
    if (this.state === 'ready') this.scheduleFlush();
    else if (this.state === 'idle') this.openSocket();
  }

  /** Why `count` more commands cannot be queued now, or undefined when they can. */
  private refusal(count: number): Error | undefined {
    if (this.state === 'closing' || this.state === 'closed') return new ClientClosedError();
    if (this.state !== 'ready' && this.options.disableOfflineQueue) {
      return new ClientOfflineError(`${this.address}: the connection is not ready (disableOfflineQueue)`);
    }
    if (this.pending.length + count > this.options.maxQueueLength) {
      this.pending.retain((queued) => queued.state !== CommandState.Settled);
      if (this.pending.length + count > this.options.maxQueueLength) return new QueueFullError(this.options.maxQueueLength);
    }
    return undefined;
  }

  /**
   * Queues several commands as one unit (`[ASKING] MULTI … EXEC`): their arguments and the capacity
   * are checked for all of them at once (one bad command rejects the whole block, nothing is queued),
   * they share one deadline (`options.deadline`, absolute epoch ms, else `options.timeout` or
   * `commandTimeout` from now), they are written contiguously in one go, and if the socket dies
   * after part of the block was written the rest is failed (never replayed on the next socket, where
   * it would run outside its MULTI). Never throws.
   */
  enqueueBlock(
    commands: ReadonlyArray<{ args: readonly RedisArgument[]; resolve: (value: RespValue) => void; reject: (error: Error) => void }>,
    options?: Pick<CommandOptions, 'timeout' | 'deadline'>,
  ): void {
    const fail = (error: Error) => {
      for (const c of commands) c.reject(error);
    };
    if (commands.length === 0) return;
    for (const c of commands) {
      const invalid = checkArguments(c.args);
      if (invalid) return fail(invalid);
    }
    const refused = this.refusal(commands.length);
    if (refused) return fail(refused);
    const now = Date.now();
    const absolute = options?.deadline;
    const timeoutMs = absolute !== undefined ? (options?.timeout ?? Math.max(0, absolute - now)) : (options?.timeout ?? this.options.commandTimeout);
    const deadline = absolute !== undefined ? absolute : timeoutMs > 0 ? now + timeoutMs : Infinity;
    if (absolute !== undefined && !(absolute > now)) {
      return fail(new CommandTimeoutError(commandName(commands[0]!.args), timeoutMs, false));
    }
    const queued = commands.map((c) => new QueuedCommand(c.args, false, timeoutMs, deadline, c.resolve, c.reject, undefined, 0));
    const block = { started: false, last: queued[queued.length - 1]! };
    for (const command of queued) {
      command.block = block;
      if (this.relaxedTimeout !== undefined) this.relax(command, this.relaxedTimeout);
      this.pending.push(command);
    }
    if (deadline !== Infinity) this.deadlines.watch(queued[0]!.deadline);
    if (this.state === 'ready') this.scheduleFlush();
    else if (this.state === 'idle') this.openSocket();
  }

  /** Waits for in-flight and queued commands to settle, sends QUIT, closes. Idempotent. */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return this.whenClosed();
    if (this.state !== 'ready') return this.destroy();
    this.state = 'closing';
    const done = this.whenClosed();
    const quit = new QueuedCommand(['QUIT'], false, 0, Infinity, () => this.finish(), () => this.finish(), undefined, 0);
    this.pending.push(quit);
    this.flushNow();
    this.closeFallback = setTimeout(() => this.finish(), Math.max(this.options.commandTimeout, this.relaxedTimeout ?? 0, 1000));
    return done;
  }

  /**
   * Closes at once. Queued commands reject with `reason` (default ClientClosedError); written ones
   * with a ConnectionClosedError saying they may have run (or ClientClosedError without a reason).
   * Idempotent.
   */
  destroy(reason?: Error): Promise<void> {
    if (this.state === 'closed') return this.whenClosed();
    const done = this.whenClosed();
    this.state = 'closing';
    this.finish(reason);
    return done;
  }

  /**
   * The node left the topology: commands not yet sent reject with `reason` (the cluster re-routes
   * them); commands already sent still get their replies; then the connection closes. A connection
   * that is not ready is destroyed.
   */
  retire(reason: Error): Promise<void> {
    if (this.state !== 'ready') return this.destroy(reason);
    for (const command of this.pending.drain()) command.fail(reason);
    return this.close();
  }

  /** Resolves once the connection is closed and its socket released. */
  private whenClosed(): Promise<void> {
    if (this.state === 'closed' && !this.socketClosing) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  // ---- socket lifecycle -------------------------------------------------------------------

  private openSocket(): void {
    this.state = 'connecting';
    this.decoder.reset();
    const { socket, readyEvent } = createSocket(this.options);
    this.socket = socket;
    let gotData = false;
    socket.setNoDelay(this.options.noDelay);
    if (this.options.keepAlive) socket.setKeepAlive(true, this.options.keepAliveInitialDelay);
    if (this.options.connectTimeout > 0) {
      this.connectTimer = setTimeout(() => {
        this.connectTimer = undefined;
        const tlsHint = this.options.tls ? ' (is this a plaintext port? the TLS handshake got no answer)' : '';
        this.failSocket(socket, new ConnectTimeoutError(this.address, `connection not ready within ${this.options.connectTimeout} ms (connectTimeout)${tlsHint}`));
      }, this.options.connectTimeout);
    }
    socket.once(readyEvent, () => {
      if (this.socket !== socket) return;
      this.emit('connect');
      this.runHandshake(socket);
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      gotData = true;
      this.lastReadAt = Date.now();
      try {
        this.decoder.write(chunk);
      } catch (error) {
        const protocolError = error instanceof ProtocolError ? error : new ProtocolError(`Malformed reply from ${this.address}`, { cause: error });
        this.failSocket(socket, protocolError, true);
      }
    });
    socket.on('drain', () => {
      if (this.socket !== socket) return;
      this.waitingDrain = false;
      this.scheduleFlush();
    });
    socket.on('error', (error: Error) => {
      if (this.socket !== socket) return;
      const code = (error as { code?: string }).code;
      const reset = code === 'ECONNRESET' || code === 'EPIPE';
      const hint = reset && this.state === 'connecting' && !gotData && !this.options.tls ? ' during the handshake (if this is a TLS port, use rediss:// or socket.tls)' : '';
      const wrapped = isTlsError(error)
        ? new TlsError(this.address, `TLS failure: ${error.message}`, { cause: error })
        : new ConnectionError(this.address, `${error.message}${hint}`, { cause: error });
      this.failSocket(socket, wrapped);
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      const duringHandshake = this.state === 'connecting';
      const hint = duringHandshake && !gotData && !this.options.tls ? ' during the handshake (if this is a TLS port, use rediss:// or socket.tls)' : '';
      this.failSocket(socket, new ConnectionClosedError(this.address, `socket closed${hint || ' unexpectedly'}`));
    });
  }

  private runHandshake(socket: net.Socket): void {
    type Step = HandshakeStep & {
      expectPushes?: { kind: string; count: number; channels?: readonly string[] };
      onError?: (error: Error) => Error | undefined;
    };
    const steps: Step[] = handshakeSteps(this.options);
    // Ready check (as ioredis's): a PING after authentication. While the server answers LOADING
    // (restarted with a large AOF/RDB), the connection pings again every 100 ms instead of handing
    // user commands to it. Extension steps (READONLY, TRACKING, SUBSCRIBE…) are allowed while loading.
    let loading = false;
    steps.push({ args: ['PING'], optional: true, auth: false, onError: (error) => ((loading = isLoading(error)), undefined) });
    for (const extension of this.extensions) {
      for (const step of extension.steps()) {
        steps.push({ args: step.args, optional: step.optional ?? false, auth: false, expectPushes: step.expectPushes, onError: step.onError });
      }
    }
    // The handshake has its own encoder: user commands queued meanwhile never share its bytes.
    const encoder = new CommandEncoder();
    const write = (): void => {
      for (const chunk of encoder.take()) socket.write(chunk);
    };
    const current = () => this.socket === socket && this.state === 'connecting';
    const pingUntilLoaded = (): void => {
      if (!current()) return;
      if (!loading) return this.onReady();
      setTimeout(() => {
        if (!current()) return;
        loading = false;
        const ping = new QueuedCommand(['PING'], false, 0, Infinity, pingUntilLoaded, (error) => {
          loading = isLoading(error);
          pingUntilLoaded();
        }, undefined, 0);
        ping.state = CommandState.Written;
        encoder.push(['PING']);
        this.inflight.push(ping);
        write();
      }, 100);
    };
    let remaining = steps.length;
    const stepDone = () => {
      if (--remaining === 0) pingUntilLoaded();
    };
    for (const step of steps) {
      const command = new QueuedCommand(step.args, false, 0, Infinity, stepDone, (error) => {
        if (step.onError) {
          const mapped = step.onError(error);
          if (!mapped) return stepDone();
          if (this.socket === socket) this.failSocket(socket, mapped);
          return;
        }
        if (step.optional) return stepDone();
        if (this.socket !== socket) return;
        const prefix = error instanceof ReplyError ? error.prefix : '';
        const failure = step.auth || isAuthFailure(prefix)
          ? new AuthError(this.address, `authentication failed: ${error.message}`, { cause: error })
          : new ConnectionError(this.address, `handshake command ${String(step.args[0])} failed: ${error.message}`, { cause: error });
        this.failSocket(socket, failure);
      }, step.expectPushes?.kind, step.expectPushes?.count ?? 0);
      if (step.expectPushes?.channels) command.expectChannels = new Set(step.expectPushes.channels);
      command.state = CommandState.Written;
      const invalid = checkArguments(step.args);
      if (invalid) {
        // An extension built a step that cannot be sent: fail this socket, never throw.
        this.failSocket(socket, new ConnectionError(this.address, `handshake step ${commandName(step.args)} is invalid: ${invalid.message}`, { cause: invalid }));
        return;
      }
      encoder.push(step.args);
      this.inflight.push(command);
    }
    write();
  }

  private onReady(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.state = 'ready';
    this.retries = 0;
    this.everReady = true;
    this.lastReadAt = Date.now();
    this.armPing();
    this.emit('ready');
    for (const waiter of this.connectWaiters.splice(0)) waiter.resolve();
    this.flushNow();
  }

  /**
   * The socket failed: reject what was written (it may have run), keep unwritten commands for the
   * next socket, and reconnect per the strategy (or give up).
   */
  private failSocket(socket: net.Socket, error: Error, isProtocol = false): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    socket.removeAllListeners('data');
    socket.destroy();
    socket.on('error', () => undefined);
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.stopPing();
    this.waitingDrain = false;
    this.decoder.reset();
    this.encoder.reset();
    for (const command of this.inflight.drain()) {
      const commandError = isProtocol
        ? error
        : new ConnectionClosedError(this.address, `connection lost after ${command.name} was sent; it may have run on the server`, {
            cause: error,
            mayHaveRun: true,
          });
      command.fail(commandError);
    }
    // The unwritten rest of a block whose start was written must not be replayed on a new socket.
    if (this.pending.length > 0) {
      const broken = new ConnectionClosedError(this.address, 'connection lost in the middle of a MULTI block; the block was discarded by the server', { cause: error });
      this.pending.retain((command) => {
        if (!command.block?.started) return true;
        command.fail(broken);
        return false;
      });
    }
    if (this.state === 'closing' || this.state === 'closed') return this.finish();
    this.emit('error', error);
    const fatalFirstConnect = !this.everReady && (error instanceof AuthError || error instanceof TlsError || error instanceof HandshakeRefusedError);
    if (fatalFirstConnect) return this.giveUp(error);
    // After a ready socket breaks, the first attempt is immediate (node-redis does the same).
    const immediate = this.state === 'ready';
    const decision = immediate ? 0 : decideReconnect(this.options.reconnectStrategy, this.retries, error, (e) => this.emit('error', e));
    if (decision === false) return this.giveUp(error);
    if (decision instanceof Error) return this.giveUp(new ReconnectStrategyError(this.address, decision.message, { cause: decision }));
    if (!immediate) this.retries++;
    this.state = 'waiting';
    this.emit('reconnecting', { attempt: this.retries, delayMs: decision, cause: error });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.state === 'waiting') this.openSocket();
    }, decision);
  }

  private giveUp(error: Error): void {
    for (const waiter of this.connectWaiters.splice(0)) waiter.reject(error);
    for (const command of this.pending.drain()) command.fail(error);
    this.state = 'closing';
    this.finish();
  }

  /** Final cleanup shared by destroy(), close() and giving up. */
  private finish(reason?: Error): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.reconnectTimer = this.connectTimer = undefined;
    this.stopPing();
    this.deadlines.stop();
    if (this.closeFallback) clearTimeout(this.closeFallback);
    this.closeFallback = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.removeAllListeners('data');
      socket.on('error', () => undefined);
      if (!socket.destroyed || !socket.closed) {
        this.socketClosing = true;
        socket.once('close', () => {
          this.socketClosing = false;
          for (const waiter of this.closeWaiters.splice(0)) waiter();
        });
      }
      socket.destroy();
    }
    const closed = new ClientClosedError();
    for (const command of this.inflight.drain()) {
      command.fail(
        reason
          ? new ConnectionClosedError(this.address, `connection closed after ${command.name} was sent; it may have run on the server`, { cause: reason, mayHaveRun: true })
          : closed,
      );
    }
    for (const command of this.pending.drain()) command.fail(reason ?? closed);
    for (const waiter of this.connectWaiters.splice(0)) waiter.reject(closed);
    this.emit('end');
    if (!this.socketClosing) for (const waiter of this.closeWaiters.splice(0)) waiter();
  }

  // ---- writing -------------------------------------------------------------------------------

  private scheduleFlush(): void {
    if (this.flushScheduled || this.waitingDrain) return;
    this.flushScheduled = true;
    setImmediate(this.flushBound);
  }

  private readonly flushBound = (): void => {
    this.flushScheduled = false;
    this.flushNow();
  };

  /** Writes queued commands. Never throws: an unexpected failure fails the socket, never escapes. */
  private flushNow(): void {
    const socket = this.socket;
    if (!socket || this.waitingDrain || (this.state !== 'ready' && this.state !== 'closing')) return;
    try {
      this.flushTo(socket);
    } catch (error) {
      this.encoder.reset();
      this.failSocket(socket, new ConnectionError(this.address, `writing commands failed: ${(error as Error).message}`, { cause: error }));
    }
  }

  private flushTo(socket: net.Socket): void {
    const pending = this.pending;
    const inflight = this.inflight;
    const encoder = this.encoder;
    while (pending.length > 0) {
      const command = pending.shift()!;
      if (command.state === CommandState.Settled) continue;
      if (command.block !== undefined && !command.block.started) {
        // Arguments were checked at enqueue; a caller that mutated an argv since then must not get
        // half a block on the wire: check the whole block before encoding its first command.
        const broken = this.checkBlock(command);
        if (broken) {
          command.fail(broken);
          continue;
        }
      }
      if (command.asking) {
        const invalid = checkArguments(command.args);
        if (invalid) {
          command.fail(invalid);
          continue;
        }
        encoder.push(ASKING);
        const asking = new QueuedCommand(ASKING, false, 0, Infinity, noop, noop, undefined, 0);
        asking.state = CommandState.Written;
        inflight.push(asking);
      }
      try {
        encoder.push(command.args);
      } catch {
        // The argv was mutated after it was checked: fail that command only (the encoder appended
        // nothing for it).
        command.fail(checkArguments(command.args) ?? new ProtocolError(`${command.name}: the arguments could not be encoded`));
        continue;
      }
      command.state = CommandState.Written;
      if (command.block) command.block.started = true;
      inflight.push(command);
      const midBlock = command.block !== undefined && command.block.last !== command;
      if (!midBlock && encoder.pendingBytes >= 1 << 20 && !this.writeChunks(socket)) {
        this.waitingDrain = true;
        return;
      }
    }
    if (encoder.pendingBytes > 0 && !this.writeChunks(socket)) this.waitingDrain = true;
  }

  /** Checks every command of the block starting at `first` (still in `pending`); fails the rest of it on a bad argv. */
  private checkBlock(first: QueuedCommand): Error | undefined {
    let error = checkArguments(first.args);
    if (!error) {
      for (const command of this.pending) {
        if (command.block !== first.block) break;
        error = checkArguments(command.args);
        if (error) break;
      }
    }
    if (!error) return undefined;
    while (this.pending.peek()?.block === first.block) this.pending.shift()!.fail(error);
    return error;
  }

  /** Writes the encoded chunks; false when the socket asks us to wait for 'drain'. */
  private writeChunks(socket: net.Socket): boolean {
    const chunks = this.encoder.take();
    if (chunks.length === 1) return socket.write(chunks[0]!);
    socket.cork();
    for (const chunk of chunks) socket.write(chunk);
    socket.uncork();
    return !socket.writableNeedDrain;
  }

  // ---- reading -------------------------------------------------------------------------------

  private onReply(value: RespValue): void {
    // RESP2 has no push type: in subscriber mode, pub/sub frames arrive as plain arrays.
    if (this.resp2PubSub && Array.isArray(value) && isPubSubFrame(value)) return this.onPush(value);
    const command = this.inflight.shift();
    if (!command) return this.unexpectedReply();
    command.settle(value);
  }

  private onErrorReply(error: ReplyError): void {
    const command = this.inflight.shift();
    if (!command) return this.unexpectedReply();
    command.fail(error);
  }

  private onPush(frame: RespValue[]): void {
    const head = this.inflight.peek();
    if (
      head?.expectKind !== undefined &&
      head.expectCount > 0 &&
      kindOf(frame) === head.expectKind &&
      (!head.expectChannels || head.expectChannels.has(textOf(frame[1])))
    ) {
      (head.collected ??= []).push(frame);
      if (--head.expectCount === 0) {
        this.inflight.shift();
        head.settle(head.collected);
      }
      return;
    }
    this.emit('push', frame);
  }

  private unexpectedReply(): void {
    const socket = this.socket;
    if (socket) this.failSocket(socket, new ProtocolError(`${this.address} sent a reply with no command waiting for it`), true);
  }

  // ---- idle ping -----------------------------------------------------------------------------

  private armPing(): void {
    const interval = this.options.pingInterval;
    // Never re-arm once closing: a PING answered during close() would otherwise leave a timer.
    if (interval <= 0 || this.state !== 'ready') return;
    this.stopPing();
    this.pingTimer = setTimeout(() => {
      this.pingTimer = undefined;
      if (this.state !== 'ready') return;
      if (Date.now() - this.lastReadAt < interval || this.inflight.length > 0) return this.armPing();
      const socket = this.socket;
      this.sendCommand(['PING'], { timeout: Math.min(this.options.commandTimeout || interval, interval) }).then(
        () => this.armPing(),
        (error: Error) => {
          if (error instanceof CommandTimeoutError && socket && this.socket === socket) {
            this.failSocket(socket, new ConnectionError(this.address, 'PING got no answer within its deadline (pingInterval); the socket is presumed dead', { cause: error }));
          } else if (this.state === 'ready') this.armPing();
        },
      );
    }, interval);
    this.pingTimer.unref();
  }

  private stopPing(): void {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
  }
}
