/**
 * A small in-process TCP proxy for nodeAddressMap tests (the redis-py NodeProxy idea): one listener per target,
 * every accepted connection is piped to a fresh connection to the target, both ways; when either side closes or
 * fails, both are closed. Sockets are tracked so that tests can count connections, see the local addresses of the
 * upstream sockets (to match them against `CLIENT LIST` on the server), and `close()` destroys everything.
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
    const finish = () => {
      if (done) return;
      done = true;
      this.live.delete(conn);
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on('error', finish);
    upstream.on('error', finish);
    downstream.on('close', finish);
    upstream.on('close', finish);
    // pipe() handles back-pressure; `end: true` half-closes the other side, `close` then tears both down.
    downstream.pipe(upstream);
    upstream.pipe(downstream);
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
