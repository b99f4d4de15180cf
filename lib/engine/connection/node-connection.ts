import { inspect } from 'node:util';
import { ClientClosedError, ClientOfflineError, CommandTimeoutError, ProtocolError } from '../errors/base.error.js';
import { AuthError, ConnectionClosedError, ConnectionError, HandshakeRefusedError, ReconnectStrategyError, TlsError } from '../errors/connection.error.js';
import type { ReplyError } from '../errors/reply.error.js';
import { CommandEncoder } from '../resp/encoder.js';
import { RespDecoder } from '../resp/decoder.js';
import type { DecoderSink, RedisArgument, RespValue } from '../resp/types.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { withoutStack } from '../util/without-stack.js';
import { CommandQueue, type BlockCommand } from './command-queue.js';
import { resolveNodeConnectionOptions, type NodeConnectionOptions, type ResolvedNodeConnectionOptions } from './connection-options.js';
import { runHandshake, type HandshakeExtension, type RunningHandshake } from './handshake-runner.js';
import { isPubSubFrame } from './push-frames.js';
import { QueuedCommand, type CommandOptions } from './queued-command.js';
import { decideReconnect } from './reconnect-strategy.js';
import { SocketSession } from './socket-session.js';
import type { Credentials } from '../auth/credentials-source.js';
import { reauthenticate } from '../auth/reauthenticate.js';

export type { HandshakeExtension } from './handshake-runner.js';
export { kindOf, textOf } from './push-frames.js';

/** Events of a node connection. */
export type NodeConnectionEvents = {
  /** The TCP/TLS socket connected (before the Redis handshake). */
  connect: [];
  /** The handshake finished; commands flow. */
  ready: [];
  /** The connection was closed by close()/destroy() or gave up reconnecting; it will not reconnect. Emitted once. */
  end: [];
  /** A socket, handshake, liveness or strategy error. The connection keeps reconnecting unless `end` follows. */
  error: [error: Error];
  /** A reconnect attempt starts after `delayMs`. */
  reconnecting: [info: { attempt: number; delayMs: number; cause: Error }];
  /** A connection attempt starts now (socket, then handshake): `attempt` counts reconnect attempts (0 first), `reconnect` after any socket existed. */
  connecting: [info: { attempt: number; reconnect: boolean }];
  /** A RESP3 push frame not consumed by a pending command (pub/sub, invalidation, maintenance). */
  push: [frame: RespValue[]];
};

type State = 'idle' | 'connecting' | 'ready' | 'waiting' | 'closing' | 'closed';

/**
 * One connection to one Redis node: handshake, auto-pipelined writes (all commands issued in one
 * turn of the event loop leave in one socket write), in-order reply matching, deadlines,
 * a bounded queue, reconnection, liveness, push dispatch.
 *
 * The facade over three parts: the {@link CommandQueue} (validation at enqueue, deadlines, MULTI
 * blocks, limits, reply matching), the handshake ({@link runHandshake}, its own encoder) and the
 * {@link SocketSession} of the current socket (open, timers, liveness). This class holds the state
 * machine and the reconnection policy.
 */
export class NodeConnection extends TypedEmitter<NodeConnectionEvents> {
  /** @internal */ readonly options: ResolvedNodeConnectionOptions;
  private state: State = 'idle';
  private session: SocketSession | undefined;
  private handshake: RunningHandshake | undefined;
  private readonly queue: CommandQueue;
  private readonly encoder = new CommandEncoder();
  private readonly decoder: RespDecoder;
  private flushScheduled = false;
  private waitingDrain = false;
  private retries = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private everReady = false;
  private connectWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private closeWaiters: Array<() => void> = [];
  private closeFallback: NodeJS.Timeout | undefined;
  /** Why the connection is closing when it was retired or handed off (written commands may have run). */
  private closeReason: Error | undefined;
  private socketClosing = false;
  private readonly extensions: HandshakeExtension[] = [];
  /** Push frames are decoded as Buffers when true (set by the pub/sub layer for Buffer listeners). */
  pushBuffers = false;
  /** @internal Set by the pub/sub layer: RESP2 arrays that look like pub/sub frames are pushes. */
  resp2PubSub = false;

  constructor(options: NodeConnectionOptions | ResolvedNodeConnectionOptions, resolved = false) {
    super();
    this.options = resolved ? (options as ResolvedNodeConnectionOptions) : resolveNodeConnectionOptions(options as NodeConnectionOptions);
    this.queue = new CommandQueue(this.options);
    const sink: DecoderSink = {
      onReply: (value) => this.onReply(value),
      onErrorReply: (error) => this.onErrorReply(error),
      onPush: (frame) => this.onPush(frame),
      wantBuffers: (isPush) => (isPush ? this.pushBuffers : (this.queue.headWantsBuffers() ?? (this.resp2PubSub && this.pushBuffers))),
    };
    this.decoder = new RespDecoder(sink, { maxBulkLength: this.options.maxBulkLength });
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

  /** Number of commands written and awaiting a reply (timed-out ones included until their reply). */
  get inflightCount(): number {
    return this.queue.inflightCount;
  }

  /** Number of commands waiting to be written. */
  get pendingCount(): number {
    return this.queue.unsentCount;
  }

  /** @internal Epoch ms of the last bytes read on the current socket (0 without one). */
  get lastReadAt(): number {
    return this.session?.lastReadAt ?? 0;
  }

  /** @internal The current socket (tests and diagnostics). */
  private get socket(): SocketSession['socket'] | undefined {
    return this.session?.socket;
  }

  /**
   * Extends the deadline of every command (queued, in flight and issued from now on) to at least
   * `timeoutMs` from when it was issued, for a maintenance window. Timeouts that then expire
   * reject with CommandTimeoutDuringMaintenanceError.
   */
  relaxTimeouts(timeoutMs: number): void {
    this.queue.relax(timeoutMs);
  }

  /** Ends a maintenance window: commands issued from now on get the normal deadline again. */
  restoreTimeouts(): void {
    this.queue.restore();
  }

  /** True while timeouts are relaxed for a maintenance window. */
  get inMaintenance(): boolean {
    return this.queue.relaxed;
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
   * Never throws: bad arguments reject with ArgumentError, a full queue with QueueFullError.
   */
  sendCommand<T = RespValue>(args: readonly RedisArgument[], options?: CommandOptions): Promise<T> {
    return new Promise<RespValue>((resolve, reject) => this.enqueue(args, options, resolve, reject)) as Promise<T>;
  }

  /**
   * @internal Queues a command with explicit callbacks (no promise), used by batch senders. Never
   * throws: every refusal (bad arguments, closed, offline, queue full, deadline already past) calls
   * `reject` synchronously, with nothing queued. Returns the command's absolute deadline (epoch ms,
   * Infinity for none; before any maintenance relaxation), or NaN when it was refused.
   */
  enqueue(args: readonly RedisArgument[], options: CommandOptions | undefined, resolve: (value: RespValue) => void, reject: (error: Error) => void): number {
    const refused = this.refusal();
    const added = refused ?? this.queue.add(args, options, resolve, reject);
    if (typeof added !== 'number') {
      reject(added);
      return NaN;
    }
    this.afterAdd();
    return added;
  }

  /**
   * Queues several commands as one unit (`[ASKING] MULTI … EXEC`): their arguments and the capacity
   * are checked for all of them at once (one bad command rejects the whole block, nothing queued),
   * they share one deadline (`options.deadline`, absolute epoch ms, else `options.timeout` or
   * `commandTimeout` from now), they are written contiguously in one go, and if the socket dies
   * after part of the block was written the rest is failed (never replayed on the next socket,
   * where it would run outside its MULTI). Never throws.
   */
  enqueueBlock(commands: readonly BlockCommand[], options?: Pick<CommandOptions, 'timeout' | 'deadline'>): void {
    if (commands.length === 0) return;
    const refused = this.refusal() ?? this.queue.addBlock(commands, options);
    if (refused) {
      for (const c of commands) c.reject(refused);
      return;
    }
    this.afterAdd();
  }

  private refusal(): Error | undefined {
    if (this.state === 'closing' || this.state === 'closed') return new ClientClosedError();
    if (this.state !== 'ready' && this.options.disableOfflineQueue) {
      return new ClientOfflineError(`${this.address}: the connection is not ready (disableOfflineQueue)`);
    }
    return undefined;
  }

  private afterAdd(): void {
    if (this.state === 'ready') this.scheduleFlush();
    else if (this.state === 'idle') this.openSocket();
  }

  /** Waits for in-flight and queued commands to settle, sends QUIT, closes. Idempotent. */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return this.whenClosed();
    if (this.state !== 'ready') return this.destroy(this.closeReason);
    this.state = 'closing';
    const done = this.whenClosed();
    const finish = (): void => this.finish(this.closeReason ?? new ConnectionClosedError(this.address, 'connection closed'));
    this.queue.addInternal(new QueuedCommand(['QUIT'], false, 0, Infinity, finish, finish, undefined, 0));
    this.flushNow();
    // The server did not answer QUIT in time: give up on what is still in flight (it may have run).
    this.closeFallback = setTimeout(finish, Math.max(this.options.commandTimeout, this.queue.relaxedTimeoutMs ?? 0, 1000));
    this.closeFallback.unref();
    return done;
  }

  /**
   * Closes at once. Queued commands reject with `reason` (default ClientClosedError); written ones
   * with a ConnectionClosedError saying they may have run (or ClientClosedError when the owner
   * destroyed the connection without a reason). Idempotent.
   */
  destroy(reason?: Error): Promise<void> {
    if (this.state === 'closed') return this.whenClosed();
    const done = this.whenClosed();
    this.state = 'closing';
    this.finish(reason);
    return done;
  }

  /**
   * The node left the topology (or its traffic moved to another connection): commands not yet
   * sent reject with `reason` (the cluster re-routes them); commands already sent still get their
   * replies; then the connection closes. A written command that cannot get its reply rejects with
   * ConnectionClosedError `mayHaveRun: true`. A connection that is not ready is destroyed.
   */
  retire(reason: Error): Promise<void> {
    this.closeReason = reason;
    if (this.state !== 'ready') return this.destroy(reason);
    this.queue.failUnsent(reason);
    return this.close();
  }

  /** Resolves once the connection is closed and its socket released. */
  private whenClosed(): Promise<void> {
    if (this.state === 'closed' && !this.socketClosing) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  // ---- socket lifecycle -------------------------------------------------------------------

  private openSocket(): void {
    this.emit('connecting', { attempt: this.retries, reconnect: this.everReady || this.retries > 0 });
    this.state = 'connecting';
    this.decoder.reset();
    this.encoder.reset();
    try {
      this.session = this.newSession();
    } catch (error) {
      // tls.connect throws synchronously on unusable TLS options (a malformed CA, key or cert):
      // no attempt can succeed, so give up instead of throwing out of connect()/sendCommand().
      const cause = error instanceof Error ? error : new Error(String(error));
      const failure = this.options.tls
        ? new TlsError(this.address, `cannot open the socket: ${cause.message}`, { cause })
        : new ConnectionError(this.address, `cannot open the socket: ${cause.message}`, { cause });
      this.emit('error', failure);
      if (!this.isClosedNow()) this.giveUp(failure);
    }
  }

  private newSession(): SocketSession {
    return new SocketSession(this.options, this.address, {
      connected: (session) => {
        if (this.session !== session) return;
        this.emit('connect');
        const source = this.options.credentials;
        if (!source) return this.startHandshake(session, undefined);
        // Asked on every connection; the wait counts against connectTimeout (the session's timer).
        source.attach(this);
        source.get(this.address).then(
          (credentials) => {
            if (this.session === session && this.state === 'connecting') this.startHandshake(session, credentials);
          },
          (error: Error) => this.failSession(session, error),
        );
      },
      data: (chunk) => this.onData(chunk),
      drain: () => {
        this.waitingDrain = false;
        this.scheduleFlush();
      },
      failed: (session, error) => this.failSession(session, error),
    });
  }

  /** `util.inspect` shows the address and state only (never the options or their credentials). */
  [inspect.custom](): string {
    return `NodeConnection { address: '${this.address}', state: '${this.state}' }`;
  }

  private startHandshake(session: SocketSession, credentials: Credentials | undefined): void {
    this.handshake = runHandshake(session.socket, {
      address: this.address,
      options: this.options,
      extensions: this.extensions,
      credentials,
      addWritten: (command) => this.queue.addWritten(command),
      isCurrent: () => this.session === session && this.state === 'connecting',
      ready: () => this.onReady(session),
      fail: (error) => this.failSession(session, error),
    });
  }

  /**
   * @internal Switches the identity of the live socket to `credentials` with an AUTH queued after
   * the commands already issued (nothing runs with a half-switched identity); see
   * {@link reauthenticate}. Also queued while reconnecting, so that an AUTH of older credentials
   * still queued from before can never be the last one to run. Resolves at once once closed.
   */
  reauthenticate(credentials: Credentials): Promise<void> {
    if (this.state !== 'ready' && this.state !== 'connecting' && this.state !== 'waiting') return Promise.resolve();
    return reauthenticate(credentials, {
      address: this.address,
      subscribedResp2: this.options.RESP === 2 && this.resp2PubSub,
      queue: (command) => {
        this.queue.addInternal(command);
        if (this.state === 'ready') this.scheduleFlush();
      },
      reopen: (error) => {
        const session = this.session;
        // Also while connecting: that handshake may carry the previous credentials.
        if (session && (this.state === 'ready' || this.state === 'connecting')) this.failSession(session, error);
      },
    });
  }

  private onData(chunk: Buffer): void {
    try {
      this.decoder.write(chunk);
    } catch (error) {
      const session = this.session;
      const protocolError = error instanceof ProtocolError ? error : new ProtocolError(`Malformed reply from ${this.address}`, { cause: error });
      if (session) this.failSession(session, protocolError, true);
    }
  }

  private onReady(session: SocketSession): void {
    this.handshake = undefined;
    this.state = 'ready';
    this.retries = 0;
    this.everReady = true;
    const queue = this.queue;
    session.ready(() => ({ count: queue.inflightCount, oldest: queue.oldestInflight() }));
    this.armPing();
    this.emit('ready');
    for (const waiter of this.connectWaiters.splice(0)) waiter.resolve();
    this.flushNow();
  }

  /**
   * The socket failed: reject what was written (it may have run), keep unwritten commands for the
   * next socket, and reconnect per the strategy (or give up).
   */
  private failSession(session: SocketSession, error: Error, isProtocol = false): void {
    if (this.session !== session) return;
    this.session = undefined;
    session.end();
    this.handshake?.cancel();
    this.handshake = undefined;
    this.stopPing();
    this.waitingDrain = false;
    this.decoder.reset();
    this.encoder.reset();
    this.queue.failWritten((command) =>
      isProtocol
        ? error
        : withoutStack(() => new ConnectionClosedError(this.address, `connection lost after ${command.name} was sent; it may have run on the server`, { cause: error, mayHaveRun: true })),
    );
    this.queue.dropStartedBlocks(new ConnectionClosedError(this.address, 'connection lost in the middle of a MULTI block; the block was discarded by the server', { cause: error }));
    if (this.state === 'closing' || this.state === 'closed') return this.finish(this.closeReason);
    this.emit('error', error);
    const fatalFirstConnect = !this.everReady && (error instanceof AuthError || error instanceof TlsError || error instanceof HandshakeRefusedError);
    if (fatalFirstConnect) return this.giveUp(error);
    // After a ready socket breaks, the first attempt is immediate (node-redis does the same).
    const immediate = this.state === 'ready';
    const decision = immediate ? 0 : decideReconnect(this.options.reconnectStrategy, this.retries, error, (e) => this.emit('error', e));
    if (this.isClosedNow()) return; // an 'error' listener closed the connection
    if (decision === false) return this.giveUp(error);
    if (decision instanceof Error) return this.giveUp(new ReconnectStrategyError(this.address, decision.message, { cause: decision }));
    if (!immediate) this.retries++;
    this.state = 'waiting';
    this.emit('reconnecting', { attempt: this.retries, delayMs: decision, cause: error });
    if (this.isClosedNow()) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.state === 'waiting') this.openSocket();
    }, decision);
  }

  private isClosedNow(): boolean {
    return this.state === 'closing' || this.state === 'closed';
  }

  private giveUp(error: Error): void {
    for (const waiter of this.connectWaiters.splice(0)) waiter.reject(error);
    this.queue.failUnsent(error);
    this.state = 'closing';
    this.finish();
  }

  /** Final cleanup shared by destroy(), close() and giving up. Emits 'end' once; nothing after it. */
  private finish(reason?: Error): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.options.credentials?.detach(this);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopPing();
    this.handshake?.cancel();
    this.handshake = undefined;
    if (this.closeFallback) clearTimeout(this.closeFallback);
    this.closeFallback = undefined;
    const session = this.session;
    this.session = undefined;
    if (session) {
      this.socketClosing = session.end(() => {
        this.socketClosing = false;
        for (const waiter of this.closeWaiters.splice(0)) waiter();
      });
    }
    this.encoder.reset();
    const closed = new ClientClosedError();
    this.queue.failWritten((command) =>
      reason
        ? withoutStack(() => new ConnectionClosedError(this.address, `connection closed after ${command.name} was sent; it may have run on the server`, { cause: reason, mayHaveRun: true }))
        : closed,
    );
    this.queue.failUnsent(reason ?? closed);
    this.queue.stop();
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

  private readonly writeBound = (): boolean => this.session!.write(this.encoder.take());

  /** Writes queued commands. Never throws: an unexpected failure fails the socket, never escapes. */
  private flushNow(): void {
    const session = this.session;
    if (!session || this.waitingDrain || (this.state !== 'ready' && this.state !== 'closing') || !this.queue.hasUnsent) return;
    const wasIdle = this.queue.inflightCount === 0;
    try {
      if (!this.queue.writeTo(this.encoder, this.writeBound)) this.waitingDrain = true;
    } catch (error) {
      this.encoder.reset();
      this.failSession(session, new ConnectionError(this.address, `writing commands failed: ${(error as Error).message}`, { cause: error }));
      return;
    }
    if (wasIdle) session.busySince = Date.now();
  }

  // ---- reading -------------------------------------------------------------------------------

  private onReply(value: RespValue): void {
    // RESP2 has no push type: in subscriber mode, pub/sub frames arrive as plain arrays.
    if (this.resp2PubSub && Array.isArray(value) && isPubSubFrame(value)) return this.onPush(value);
    if (!this.queue.settleNext(value)) this.unexpectedReply();
  }

  private onErrorReply(error: ReplyError): void {
    if (!this.queue.failNext(error)) this.unexpectedReply();
  }

  private onPush(frame: RespValue[]): void {
    if (this.queue.offerPush(frame)) return;
    if (this.state !== 'closed') this.emit('push', frame);
  }

  private unexpectedReply(): void {
    const session = this.session;
    if (session) this.failSession(session, new ProtocolError(`${this.address} sent a reply with no command waiting for it`), true);
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
      if (Date.now() - this.lastReadAt < interval || this.queue.inflightCount > 0) return this.armPing();
      const session = this.session;
      this.sendCommand(['PING'], { timeout: Math.min(this.options.commandTimeout || interval, interval) }).then(
        () => this.armPing(),
        (error: Error) => {
          if (error instanceof CommandTimeoutError && session && this.session === session) {
            this.failSession(session, new ConnectionError(this.address, 'PING got no answer within its deadline (pingInterval); the socket is presumed dead', { cause: error }));
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
