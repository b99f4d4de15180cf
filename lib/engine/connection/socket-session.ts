import type net from 'node:net';
import { ConnectionClosedError, ConnectionError, ConnectTimeoutError, TlsError } from '../errors/connection.error.js';
import type { ResolvedNodeConnectionOptions } from './connection-options.js';
import { msUntilStalled, type AwaitedCommand } from './liveness.js';
import { createSocket, isTlsError } from './socket-factory.js';

/** What a socket session reports to its connection. @internal */
export interface SessionHooks {
  /** TCP (and TLS) connected: time for the handshake. */
  connected(session: SocketSession): void;
  /** Bytes read. */
  data(chunk: Buffer): void;
  /** The socket can take writes again. */
  drain(): void;
  /** The socket failed (error, close, connect timeout, liveness): called at most once per session. */
  failed(session: SocketSession, error: Error): void;
}

/** What the liveness check reads from the connection. @internal */
export interface InflightProbe {
  (): { readonly count: number; readonly oldest: AwaitedCommand | undefined };
}

const HANDSHAKE_HINT = ' during the handshake (if this is a TLS port, use rediss:// or socket.tls)';

/**
 * One socket of a node connection, from open to end: TCP/TLS connect with `connectTimeout`, the
 * socket options, translation of socket errors into typed errors, the time of the last read, and
 * the liveness check (a socket with commands in flight and nothing read for `livenessTimeout` is
 * declared dead). Reconnection is the connection's business: a session is never reused.
 * @internal
 */
export class SocketSession {
  readonly socket: net.Socket;
  /** Epoch ms of the last bytes read. */
  lastReadAt = 0;
  /** Epoch ms when commands last started waiting on an idle socket (start of a possible silence). */
  busySince = 0;
  private connectTimer: NodeJS.Timeout | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;
  private gotData = false;
  private handshaking = true;
  private ended = false;

  constructor(
    private readonly options: ResolvedNodeConnectionOptions,
    private readonly address: string,
    private readonly hooks: SessionHooks,
  ) {
    const { socket, readyEvent } = createSocket(options);
    this.socket = socket;
    socket.setNoDelay(options.noDelay);
    if (options.keepAlive) socket.setKeepAlive(true, options.keepAliveInitialDelay);
    if (options.connectTimeout > 0) {
      this.connectTimer = setTimeout(() => {
        this.connectTimer = undefined;
        const tlsHint = options.tls ? ' (is this a plaintext port? the TLS handshake got no answer)' : '';
        this.fail(new ConnectTimeoutError(address, `connection not ready within ${options.connectTimeout} ms (connectTimeout)${tlsHint}`));
      }, options.connectTimeout);
    }
    socket.once(readyEvent, () => {
      if (!this.ended) this.hooks.connected(this);
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.ended) return;
      this.gotData = true;
      this.lastReadAt = Date.now();
      this.hooks.data(chunk);
    });
    socket.on('drain', () => {
      if (!this.ended) this.hooks.drain();
    });
    socket.on('error', (error: Error) => {
      if (this.ended) return;
      const code = (error as { code?: string }).code;
      const reset = code === 'ECONNRESET' || code === 'EPIPE';
      const hint = reset && this.handshaking && !this.gotData && !options.tls ? HANDSHAKE_HINT : '';
      this.fail(
        isTlsError(error)
          ? new TlsError(address, `TLS failure: ${error.message}`, { cause: error })
          : new ConnectionError(address, `${error.message}${hint}`, { cause: error }),
      );
    });
    socket.on('close', () => {
      if (this.ended) return;
      const hint = this.handshaking && !this.gotData && !options.tls ? HANDSHAKE_HINT : '';
      this.fail(new ConnectionClosedError(address, `socket closed${hint || ' unexpectedly'}`));
    });
  }

  /** True once ended (failed or closed): no more hooks are called. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** The handshake finished: stop the connect timer and start the liveness check. */
  ready(probe: InflightProbe): void {
    this.handshaking = false;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.lastReadAt = Date.now();
    this.armLiveness(probe, this.options.livenessTimeout);
  }

  /** Writes chunks (strings as UTF-8, Buffers as they are); false when the socket asks to wait for 'drain'. */
  write(chunks: ReadonlyArray<string | Buffer>): boolean {
    const socket = this.socket;
    if (chunks.length === 1) return socket.write(chunks[0]!);
    socket.cork();
    for (const chunk of chunks) socket.write(chunk);
    socket.uncork();
    return !socket.writableNeedDrain;
  }

  /**
   * Ends the session without reporting a failure: timers cleared, listeners detached, the socket
   * destroyed. `onClosed` (if given) is called once the socket has fully closed; returns false
   * when it was already closed (then `onClosed` is not called).
   */
  end(onClosed?: () => void): boolean {
    if (this.ended && onClosed === undefined) return false;
    this.ended = true;
    this.clearTimers();
    const socket = this.socket;
    socket.removeAllListeners('data');
    socket.removeAllListeners('drain');
    socket.on('error', () => undefined);
    const waiting = !socket.destroyed || !socket.closed;
    if (waiting && onClosed) socket.once('close', onClosed);
    socket.destroy();
    return waiting && onClosed !== undefined;
  }

  private fail(error: Error): void {
    if (this.ended) return;
    this.end();
    this.hooks.failed(this, error);
  }

  private clearTimers(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    if (this.livenessTimer) clearTimeout(this.livenessTimer);
    this.connectTimer = this.livenessTimer = undefined;
  }

  /**
   * The liveness check: one unref'd timer, re-armed for the exact moment the current silence would
   * become a stall. See `socket.livenessTimeout` for the rule.
   */
  private armLiveness(probe: InflightProbe, timeoutMs: number): void {
    if (timeoutMs <= 0 || this.ended) return;
    const check = (): void => {
      this.livenessTimer = undefined;
      if (this.ended) return;
      const { count, oldest } = probe();
      const quietSince = Math.max(this.lastReadAt, this.busySince);
      const wait = msUntilStalled(Date.now(), quietSince, timeoutMs, count, oldest);
      if (wait <= 0) {
        const silentMs = Date.now() - quietSince;
        return this.fail(
          new ConnectionError(
            this.address,
            `nothing read for ${silentMs} ms with ${count} command(s) in flight (socket.livenessTimeout ${timeoutMs} ms); the socket is presumed dead`,
          ),
        );
      }
      this.schedule(check, Math.min(wait, timeoutMs));
    };
    this.schedule(check, timeoutMs);
  }

  private schedule(check: () => void, ms: number): void {
    this.livenessTimer = setTimeout(check, Math.max(1, ms));
    this.livenessTimer.unref();
  }
}
