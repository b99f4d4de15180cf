/**
 * A small in-process TCP proxy for nodeAddressMap tests (the redis-py NodeProxy idea): one listener per target,
 * every accepted connection is piped to a fresh connection to the target, both ways; when either side closes or
 * fails, both are closed. Sockets are tracked so that tests can count connections, see the local addresses of the
 * upstream sockets (to match them against `CLIENT LIST` on the server), and `close()` destroys everything.
 * `delayMs` (settable at any time) adds latency to every chunk in both directions, and `delayFor` can pick a delay
 * per chunk (e.g. hold only requests that contain CLUSTER SHARDS); byte order is always kept. `tap` sees every chunk,
 * and `respondFor` can answer a request itself (a canned reply, e.g. a stale CLUSTER SHARDS) instead of forwarding it.
 */
import net from 'node:net';

export interface ProxyTarget {
  host: string;
  port: number;
}

export interface ProxyConnection {
  /** The client's socket (accepted by the proxy). */
  readonly downstream: net.Socket;
  /** The proxy's socket to the target. */
  readonly upstream: net.Socket;
  /** `127.0.0.1:<port>` of the upstream socket as the target sees it (CLIENT LIST `addr`), once connected. */
  upstreamAddress: string | undefined;
}

export class TcpProxy {
  /** Connections accepted since start. */
  accepted = 0;
  private readonly live = new Set<ProxyConnection>();
  /** Upstream local addresses of every connection ever made (CLIENT LIST `addr` values). */
  readonly upstreamAddresses = new Set<string>();
  private closed = false;
  /** Latency added to every chunk forwarded in either direction, in ms (0: none). */
  delayMs = 0;
  /** Extra latency for one chunk (`request`: client → server, `reply`: server → client); the larger delay wins. */
  delayFor: ((chunk: Buffer, direction: 'request' | 'reply') => number) | undefined;
  /** Sees every chunk as it arrives (before any delay), with the connection it belongs to. */
  tap: ((chunk: Buffer, direction: 'request' | 'reply', connection: ProxyConnection) => void) | undefined;
  /** Returns bytes to answer a request chunk with, instead of forwarding it (the target never sees it). */
  respondFor: ((request: Buffer) => Buffer | undefined) | undefined;

  private constructor(
    private readonly server: net.Server,
    readonly target: ProxyTarget,
  ) {}

  /** Starts a proxy to `target` on an ephemeral port of 127.0.0.1. */
  static async start(target: ProxyTarget): Promise<TcpProxy> {
    const server = net.createServer();
    const proxy = new TcpProxy(server, target);
    server.on('connection', (socket) => proxy.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  /** Listening port. */
  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** `127.0.0.1:<port>` of the listener. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Connections open right now. */
  get connections(): ProxyConnection[] {
    return [...this.live];
  }

  /** Destroys every proxied connection (both sides) but keeps listening. */
  dropAll(): void {
    for (const c of this.live) {
      c.downstream.destroy();
      c.upstream.destroy();
    }
  }

  /** Stops listening and destroys every connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(downstream: net.Socket): void {
    if (this.closed) {
      downstream.destroy();
      return;
    }
    this.accepted++;
    const upstream = net.connect({ host: this.target.host, port: this.target.port });
    const conn: ProxyConnection = { downstream, upstream, upstreamAddress: undefined };
    this.live.add(conn);
    downstream.setNoDelay(true);
    upstream.setNoDelay(true);
    upstream.on('connect', () => {
      conn.upstreamAddress = `${upstream.localAddress}:${upstream.localPort}`;
      this.upstreamAddresses.add(conn.upstreamAddress);
    });
    let done = false;
    const timers = new Set<NodeJS.Timeout>();
    const finish = () => {
      if (done) return;
      done = true;
      this.live.delete(conn);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on('error', finish);
    upstream.on('error', finish);
    downstream.on('close', finish);
    upstream.on('close', finish);
    this.forward(downstream, upstream, timers, 'request', conn);
    this.forward(upstream, downstream, timers, 'reply', conn);
  }

  /** Copies `src` to `dst` with back-pressure, through an ordered delay queue while `delayMs` > 0. */
  private forward(src: net.Socket, dst: net.Socket, timers: Set<NodeJS.Timeout>, direction: 'request' | 'reply', conn: ProxyConnection): void {
    const queue: Array<{ at: number; chunk: Buffer }> = [];
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const write = (chunk: Buffer) => {
      if (dst.destroyed) return;
      if (!dst.write(chunk)) {
        src.pause();
        dst.once('drain', () => src.resume());
      }
    };
    const pump = () => {
      if (timer) timers.delete(timer);
      timer = undefined;
      const now = Date.now();
      while (queue.length > 0 && queue[0]!.at <= now) write(queue.shift()!.chunk);
      if (queue.length > 0) {
        timer = setTimeout(pump, queue[0]!.at - now);
        timers.add(timer);
      } else if (ended) dst.end();
    };
    src.on('data', (chunk: Buffer) => {
      this.tap?.(chunk, direction, conn);
      const canned = direction === 'request' ? this.respondFor?.(chunk) : undefined;
      if (canned) {
        if (!src.destroyed) src.write(canned);
        return;
      }
      const delay = Math.max(this.delayMs, this.delayFor?.(chunk, direction) ?? 0);
      if (delay <= 0 && queue.length === 0) return write(chunk);
      queue.push({ at: Date.now() + delay, chunk });
      if (!timer) pump();
    });
    src.on('end', () => {
      ended = true;
      if (queue.length === 0) dst.end();
    });
  }
}

/** Starts one proxy per target; resolves with them in the same order. Closes the started ones if one fails. */
export async function startProxies(targets: readonly ProxyTarget[]): Promise<TcpProxy[]> {
  const settled = await Promise.allSettled(targets.map((t) => TcpProxy.start(t)));
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((p) => p.close()));
    throw (failed as PromiseRejectedResult).reason;
  }
  return started;
}
