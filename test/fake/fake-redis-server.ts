/**
 * A scripted fake Redis server, for what a real Redis 7.0 cannot show: malformed replies, exact redirect timing,
 * pushes at chosen moments (maintenance notifications, invalidations), stalls, dropped connections.
 * Self-contained (does not import lib/): it parses RESP command arrays (and inline commands) itself.
 *
 *   const fake = await FakeRedisServer.start();            // 127.0.0.1, random port
 *   fake.on('GET', (argv) => bulk('v'));                   // script a reply (raw bytes)
 *   fake.once('SET', () => ({ delayMs: 200, bytes: '+OK\r\n' }));
 *   fake.on('CLUSTER SLOTS', () => ({ close: true }));     // two-word names match "CLUSTER SLOTS" exactly
 *   await fake.waitForCommand('HELLO');
 *   fake.push(connId, push([bulk('invalidate'), array([bulk('k')])]));
 *   await fake.close();
 *
 * Handler lookup for a command: once-handlers before persistent ones; "NAME SUB" before "NAME" before "*"; then the
 * built-in defaults (HELLO, AUTH, PING, ECHO, CLIENT *, READONLY, READWRITE, ASKING, SELECT, QUIT, CLUSTER
 * SLOTS/SHARDS/NODES/INFO/MYID), else `-ERR unknown command`. A handler returning `undefined` falls through to the
 * next candidate (so a handler can observe without replying). Replies on one connection are written in command
 * order, like Redis: a delayed reply delays the replies after it (commands are still recorded on arrival).
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import * as F from './resp-frames.js';

export type Bytes = Buffer | string;

export interface ReplyAction {
  /** Bytes written (after delayMs). */
  bytes?: Bytes;
  /** Wait this long before writing / closing. */
  delayMs?: number;
  /** Close the connection (after writing bytes, if any). */
  close?: boolean;
  /** With close: send a TCP RST instead of a FIN. */
  reset?: boolean;
  /** Write nothing for this command (the client waits forever for this reply). */
  noReply?: boolean;
}

/** Raw bytes written as is, an action, or undefined to fall through to the next handler / the default. */
export type Reply = Bytes | ReplyAction | undefined | void;

export interface HandlerContext {
  readonly connId: number;
  /** Protocol negotiated by HELLO on this connection (2 until HELLO 3). Settable by custom HELLO handlers. */
  protocol: 2 | 3;
  /** Per-connection scratch space for handlers. */
  readonly state: Record<string, unknown>;
  /** CLIENT SETNAME / HELLO SETNAME. */
  readonly name: string | null;
  readonly authenticated: boolean;
  readonly server: FakeRedisServer;
  /** Raw arguments (binary-safe). */
  readonly args: Buffer[];
  /** Writes bytes now (out of order with queued replies). */
  write(bytes: Bytes): void;
  /** Destroys the connection. */
  close(): void;
  /** Encodes a JS value with this connection's protocol (see resp-frames encode()). */
  encode(value: F.EncodableValue): Buffer;
  /** What the built-in handler would reply (`-ERR unknown command` when there is none). */
  defaultReply(): Reply;
}

export type Handler = (argv: string[], ctx: HandlerContext) => Reply | Promise<Reply>;

export interface RecordedCommand {
  connId: number;
  argv: string[];
  args: Buffer[];
  /** Date.now() on arrival. */
  at: number;
}

export interface ConnectionInfo {
  id: number;
  alive: boolean;
  protocol: 2 | 3;
  name: string | null;
  authenticated: boolean;
  remotePort: number;
  state: Record<string, unknown>;
}

export interface NodeAddress {
  host: string;
  port: number;
  /** 40 hex chars; derived from host:port when omitted. */
  id?: string;
  hostname?: string;
  /** CLUSTER SHARDS fields. */
  health?: 'online' | 'failed' | 'loading';
  replicationOffset?: number;
}

export interface SlotRange {
  start: number;
  end: number;
  master: NodeAddress;
  replicas?: NodeAddress[];
}

export interface FakeServerOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** If set, commands need AUTH/HELLO AUTH first (-NOAUTH), and wrong credentials get -WRONGPASS. */
  password?: string;
  /** Username for `password` (default "default"). */
  username?: string;
  /** HELLO fields. */
  mode?: 'cluster' | 'standalone';
  role?: 'master' | 'replica';
  version?: string;
}

interface Conn {
  id: number;
  socket: net.Socket;
  alive: boolean;
  protocol: 2 | 3;
  name: string | null;
  authenticated: boolean;
  state: Record<string, unknown>;
  buffer: Buffer;
  chain: Promise<void>;
}

interface Waiter {
  match: (c: RecordedCommand) => boolean;
  resolve: (argv: string[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const NO_AUTH_NEEDED = new Set(['AUTH', 'HELLO', 'QUIT']);

export function nodeIdFor(host: string, port: number): string {
  return createHash('sha1').update(`${host}:${port}`).digest('hex');
}

/** Thrown by the command parser on bytes a real Redis would reject with "Protocol error". */
class ProtocolError extends Error {}

/** Parses complete commands from `buf`; returns them and the unconsumed rest. */
function parseCommands(buf: Buffer): { commands: Buffer[][]; rest: Buffer } {
  const commands: Buffer[][] = [];
  let pos = 0;
  outer: while (pos < buf.length) {
    if (buf[pos] === 0x2a /* '*' */) {
      const eol = buf.indexOf('\r\n', pos);
      if (eol === -1) break;
      const count = Number(buf.toString('latin1', pos + 1, eol));
      if (!Number.isInteger(count) || count > 1024 * 1024) throw new ProtocolError('invalid multibulk length');
      let p = eol + 2;
      const args: Buffer[] = [];
      for (let i = 0; i < count; i++) {
        if (p >= buf.length) break outer;
        if (buf[p] !== 0x24 /* '$' */) throw new ProtocolError(`expected '$', got '${String.fromCharCode(buf[p]!)}'`);
        const e = buf.indexOf('\r\n', p);
        if (e === -1) break outer;
        const len = Number(buf.toString('latin1', p + 1, e));
        if (!Number.isInteger(len) || len < 0 || len > 512 * 1024 * 1024) throw new ProtocolError('invalid bulk length');
        if (buf.length < e + 2 + len + 2) break outer;
        args.push(Buffer.from(buf.subarray(e + 2, e + 2 + len)));
        p = e + 2 + len + 2;
      }
      pos = p;
      if (args.length) commands.push(args);
    } else {
      const eol = buf.indexOf('\n', pos);
      if (eol === -1) break;
      const text = buf.toString('utf8', pos, eol).replace(/\r$/, '').trim();
      pos = eol + 1;
      if (text) commands.push(text.split(/\s+/).map((a) => Buffer.from(a)));
    }
  }
  return { commands, rest: buf.subarray(pos) };
}

function matchesName(name: string, argv: string[]): boolean {
  if (name === '*') return true;
  const parts = name.toUpperCase().split(/\s+/);
  return parts.every((p, i) => (argv[i] ?? '').toUpperCase() === p);
}

export class FakeRedisServer {
  readonly commands: RecordedCommand[] = [];
  /** Errors thrown by handlers (the client got `-ERR fake handler error: ...`). */
  readonly handlerErrors: Error[] = [];
  readonly options: FakeServerOptions;
  private readonly server: net.Server;
  private readonly conns = new Map<number, Conn>();
  private readonly persistent = new Map<string, Handler>();
  private readonly onceQueue: Array<{ name: string; handler: Handler }> = [];
  private readonly waiters = new Set<Waiter>();
  private readonly connWaiters = new Set<{ check: () => boolean; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private slots: SlotRange[] | null = null;
  private nextConnId = 1;
  private closed = false;
  private boundPort = 0;

  private constructor(options: FakeServerOptions) {
    this.options = options;
    this.server = net.createServer((socket) => this.accept(socket));
  }

  /** Starts listening on 127.0.0.1 (port 0 by default). */
  static async start(options: FakeServerOptions = {}): Promise<FakeRedisServer> {
    const fake = new FakeRedisServer(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen({ host: '127.0.0.1', port: options.port ?? 0 }, () => {
        fake.server.off('error', reject);
        resolve();
      });
    });
    fake.boundPort = (fake.server.address() as net.AddressInfo).port;
    return fake;
  }

  get port(): number {
    return this.boundPort;
  }

  /** "127.0.0.1:<port>" */
  get address(): string {
    return `127.0.0.1:${this.boundPort}`;
  }

  /** This server's cluster node id (sha1 of its address). */
  get nodeId(): string {
    return nodeIdFor('127.0.0.1', this.boundPort);
  }

  get connections(): ConnectionInfo[] {
    return [...this.conns.values()].map((c) => ({
      id: c.id,
      alive: c.alive,
      protocol: c.protocol,
      name: c.name,
      authenticated: c.authenticated,
      remotePort: c.socket.remotePort ?? 0,
      state: c.state,
    }));
  }

  /** Ids of connections still open. */
  get aliveConnectionIds(): number[] {
    return [...this.conns.values()].filter((c) => c.alive).map((c) => c.id);
  }

  /** Commands received on one connection. */
  commandsOn(connId: number): RecordedCommand[] {
    return this.commands.filter((c) => c.connId === connId);
  }

  /** Upper-case command names received so far (two words for CLUSTER/CLIENT/CONFIG), e.g. ['HELLO', 'CLIENT SETINFO']. */
  commandNames(connId?: number): string[] {
    return this.commands
      .filter((c) => connId === undefined || c.connId === connId)
      .map((c) => {
        const first = (c.argv[0] ?? '').toUpperCase();
        return ['CLUSTER', 'CLIENT', 'CONFIG', 'COMMAND', 'ACL'].includes(first) && c.argv[1] ? `${first} ${c.argv[1].toUpperCase()}` : first;
      });
  }

  /** Script a reply for every `name` command ("GET", "CLUSTER SLOTS", or "*"); replaces a previous one. */
  on(name: string, handler: Handler): this {
    this.persistent.set(name.toUpperCase(), handler);
    return this;
  }

  /** Script a reply for the next `name` command only (queued: several once() handlers apply in order). */
  once(name: string, handler: Handler): this {
    this.onceQueue.push({ name: name.toUpperCase(), handler });
    return this;
  }

  /** Removes the handlers for `name` (or all handlers). */
  off(name?: string): this {
    if (name === undefined) {
      this.persistent.clear();
      this.onceQueue.length = 0;
    } else {
      const n = name.toUpperCase();
      this.persistent.delete(n);
      for (let i = this.onceQueue.length - 1; i >= 0; i--) if (this.onceQueue[i]!.name === n) this.onceQueue.splice(i, 1);
    }
    return this;
  }

  /** The slot table served by CLUSTER SLOTS / SHARDS / NODES. Default: 0-16383 on this server. */
  setSlots(ranges: SlotRange[]): this {
    this.slots = ranges.map((r) => ({ ...r, replicas: r.replicas ?? [] }));
    return this;
  }

  getSlots(): SlotRange[] {
    return this.slots ?? [{ start: 0, end: 16383, master: { host: '127.0.0.1', port: this.boundPort }, replicas: [] }];
  }

  /**
   * Resolves with the argv of the first command named `name` (and accepted by `predicate`) that has arrived or
   * arrives — counting from `fromIndex` in `.commands` (default 0, i.e. already received commands count too;
   * pass `fake.commands.length` to wait for a new one). Rejects after timeoutMs (default 2000).
   */
  waitForCommand(
    name: string,
    predicate?: (argv: string[], cmd: RecordedCommand) => boolean,
    timeoutMs = 2000,
    opts: { fromIndex?: number } = {},
  ): Promise<string[]> {
    const match = (c: RecordedCommand) => matchesName(name, c.argv) && (!predicate || predicate(c.argv, c));
    const past = this.commands.slice(opts.fromIndex ?? 0).find(match);
    if (past) return Promise.resolve(past.argv);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (argv) => {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          resolve(argv);
        },
        reject: (err) => {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          reject(err);
        },
        timer: setTimeout(() => waiter.reject(new Error(`fake server: no ${name} command within ${timeoutMs} ms`)), timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Resolves once at least `count` connections have been accepted in total (default 1). */
  waitForConnections(count = 1, timeoutMs = 2000): Promise<void> {
    const check = () => this.nextConnId - 1 >= count;
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = {
        check,
        resolve: () => {
          clearTimeout(w.timer);
          this.connWaiters.delete(w);
          resolve();
        },
        reject: (err: Error) => {
          clearTimeout(w.timer);
          this.connWaiters.delete(w);
          reject(err);
        },
        timer: setTimeout(() => w.reject(new Error(`fake server: fewer than ${count} connections within ${timeoutMs} ms`)), timeoutMs),
      };
      this.connWaiters.add(w);
    });
  }

  /** Writes raw bytes (e.g. a `>` push frame) to a connection now. An array of values is encoded as a push frame. */
  push(connId: number, frame: Bytes | F.EncodableValue[]): void {
    const bytes = Array.isArray(frame) ? F.push(frame.map((v) => F.encode(v, 3))) : frame;
    this.writeRaw(connId, bytes);
  }

  /** push() to every open connection. */
  pushAll(frame: Bytes | F.EncodableValue[]): void {
    for (const id of this.aliveConnectionIds) this.push(id, frame);
  }

  /** Writes raw bytes to a connection now. */
  writeRaw(connId: number, bytes: Bytes): void {
    const c = this.conn(connId);
    if (c.alive) c.socket.write(bytes);
  }

  /** Destroys a connection (reset: true sends a TCP RST). */
  killConnection(connId: number, opts: { reset?: boolean } = {}): void {
    const c = this.conn(connId);
    if (opts.reset) c.socket.resetAndDestroy();
    else c.socket.destroy();
  }

  /** Destroys every client socket, stops listening and clears every timer; resolves when closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of [...this.waiters]) w.reject(new Error('fake server closed'));
    for (const w of [...this.connWaiters]) w.reject(new Error('fake server closed'));
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.conns.values()) c.socket.destroy();
    await closing;
  }

  // ------------------------------------------------------------------------------------------------------------

  private conn(connId: number): Conn {
    const c = this.conns.get(connId);
    if (!c) throw new Error(`fake server: no connection ${connId}`);
    return c;
  }

  private accept(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const conn: Conn = {
      id: this.nextConnId++,
      socket,
      alive: true,
      protocol: 2,
      name: null,
      authenticated: this.options.password === undefined,
      state: {},
      buffer: Buffer.alloc(0),
      chain: Promise.resolve(),
    };
    this.conns.set(conn.id, conn);
    socket.on('data', (chunk) => this.onData(conn, chunk));
    socket.on('error', () => {
      /* the client went away; 'close' follows */
    });
    socket.on('close', () => {
      conn.alive = false;
    });
    for (const w of [...this.connWaiters]) if (w.check()) w.resolve();
  }

  private onData(conn: Conn, chunk: Buffer): void {
    conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk;
    let parsed: { commands: Buffer[][]; rest: Buffer };
    try {
      parsed = parseCommands(conn.buffer);
    } catch (err) {
      const message = (err as Error).message;
      conn.chain = conn.chain.then(() => {
        if (conn.alive) conn.socket.end(F.error(`ERR Protocol error: ${message}`));
      });
      conn.buffer = Buffer.alloc(0);
      return;
    }
    conn.buffer = parsed.rest.length ? Buffer.from(parsed.rest) : Buffer.alloc(0);
    for (const args of parsed.commands) {
      const rec: RecordedCommand = { connId: conn.id, argv: args.map((a) => a.toString('utf8')), args, at: Date.now() };
      this.commands.push(rec);
      for (const w of [...this.waiters]) if (w.match(rec)) w.resolve(rec.argv);
      conn.chain = conn.chain.then(() => this.execute(conn, rec));
    }
  }

  private sleep(ms: number): Promise<void> {
    // A reply delayed after close() (its handler was still running) starts no timer: close() has
    // already cleared the others, and nothing is written once closed.
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private context(conn: Conn, rec: RecordedCommand): HandlerContext {
    const server = this;
    return {
      connId: conn.id,
      get protocol() {
        return conn.protocol;
      },
      set protocol(p: 2 | 3) {
        conn.protocol = p;
      },
      state: conn.state,
      get name() {
        return conn.name;
      },
      get authenticated() {
        return conn.authenticated;
      },
      server,
      args: rec.args,
      write: (bytes) => {
        if (conn.alive) conn.socket.write(bytes);
      },
      close: () => conn.socket.destroy(),
      encode: (value) => F.encode(value, conn.protocol),
      defaultReply: () => this.builtin(conn, rec.argv),
    };
  }

  private candidates(argv: string[]): Handler[] {
    const out: Handler[] = [];
    const two = argv.length > 1 ? `${argv[0]} ${argv[1]}`.toUpperCase() : null;
    const one = (argv[0] ?? '').toUpperCase();
    for (const key of [two, one, '*']) {
      if (key === null) continue;
      const i = this.onceQueue.findIndex((h) => h.name === key);
      if (i !== -1) {
        const [h] = this.onceQueue.splice(i, 1);
        out.push(h!.handler);
      }
      const p = this.persistent.get(key);
      if (p) out.push(p);
    }
    return out;
  }

  private async execute(conn: Conn, rec: RecordedCommand): Promise<void> {
    if (!conn.alive || this.closed) return;
    const ctx = this.context(conn, rec);
    let reply: Reply;
    try {
      for (const handler of this.candidates(rec.argv)) {
        reply = await handler(rec.argv, ctx);
        if (reply !== undefined) break;
      }
      if (reply === undefined) reply = this.builtin(conn, rec.argv);
    } catch (err) {
      this.handlerErrors.push(err as Error);
      reply = F.error(`ERR fake handler error: ${(err as Error).message}`.replace(/[\r\n]/g, ' '));
    }
    await this.deliver(conn, reply);
  }

  private async deliver(conn: Conn, reply: Reply): Promise<void> {
    if (reply === undefined) return;
    if (typeof reply === 'string' || Buffer.isBuffer(reply)) {
      if (conn.alive) conn.socket.write(reply);
      return;
    }
    if (reply.delayMs) await this.sleep(reply.delayMs);
    if (!conn.alive || this.closed) return;
    if (reply.noReply && !reply.close) return;
    if (reply.bytes !== undefined && !reply.noReply) conn.socket.write(reply.bytes);
    if (reply.close) {
      if (reply.reset) conn.socket.resetAndDestroy();
      else if (reply.bytes !== undefined) conn.socket.end();
      else conn.socket.destroy();
    }
  }

  // --- built-in commands ---------------------------------------------------------------------------------------

  private checkCredentials(user: string, pass: string): boolean {
    if (this.options.password === undefined) return true;
    return user === (this.options.username ?? 'default') && pass === this.options.password;
  }

  private builtin(conn: Conn, argv: string[]): Reply {
    const cmd = (argv[0] ?? '').toUpperCase();
    const sub = (argv[1] ?? '').toUpperCase();
    if (!conn.authenticated && !NO_AUTH_NEEDED.has(cmd)) return F.error('NOAUTH Authentication required.');
    switch (cmd) {
      case 'HELLO':
        return this.hello(conn, argv);
      case 'AUTH': {
        const [user, pass] = argv.length >= 3 ? [argv[1]!, argv[2]!] : ['default', argv[1] ?? ''];
        if (!this.checkCredentials(user, pass)) return F.error('WRONGPASS invalid username-password pair or user is disabled.');
        conn.authenticated = true;
        return F.simple('OK');
      }
      case 'PING':
        return argv.length > 1 ? F.bulk(argv[1]!) : F.simple('PONG');
      case 'ECHO':
        return F.bulk(argv[1] ?? '');
      case 'CLIENT':
        if (sub === 'ID') return F.integer(conn.id);
        if (sub === 'GETNAME') return conn.protocol === 3 && conn.name === null ? F.nul() : F.bulk(conn.name);
        if (sub === 'SETNAME') conn.name = argv[2] ?? null;
        return F.simple('OK');
      case 'READONLY':
      case 'READWRITE':
      case 'ASKING':
      case 'SELECT':
        return F.simple('OK');
      case 'QUIT':
        return { bytes: F.simple('OK'), close: true };
      case 'CLUSTER':
        if (sub === 'SLOTS') return this.clusterSlots(conn.protocol);
        if (sub === 'SHARDS') return this.clusterShards(conn.protocol);
        if (sub === 'NODES') return this.text(conn.protocol, this.clusterNodesText());
        if (sub === 'INFO') return this.text(conn.protocol, this.clusterInfoText());
        if (sub === 'MYID') return F.bulk(this.nodeId);
        return F.error(`ERR unknown subcommand '${argv[1] ?? ''}'. Try CLUSTER HELP.`);
      default:
        return F.error(
          `ERR unknown command '${argv[0] ?? ''}', with args beginning with: ${argv
            .slice(1)
            .map((a) => `'${a}' `)
            .join('')}`.replace(/[\r\n]/g, ' '),
        );
    }
  }

  private hello(conn: Conn, argv: string[]): Reply {
    let proto = conn.protocol;
    if (argv.length > 1) {
      const v = Number(argv[1]);
      if (v !== 2 && v !== 3) return F.error('NOPROTO unsupported protocol version');
      proto = v;
    }
    for (let i = 2; i < argv.length; i++) {
      const opt = argv[i]!.toUpperCase();
      if (opt === 'AUTH' && i + 2 < argv.length) {
        if (!this.checkCredentials(argv[i + 1]!, argv[i + 2]!)) {
          return F.error('WRONGPASS invalid username-password pair or user is disabled.');
        }
        conn.authenticated = true;
        i += 2;
      } else if (opt === 'SETNAME' && i + 1 < argv.length) {
        conn.name = argv[i + 1]!;
        i += 1;
      } else {
        return F.error(`ERR Syntax error in HELLO option '${argv[i]}'`);
      }
    }
    if (!conn.authenticated) return F.error('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
    conn.protocol = proto;
    const fields: Array<[string, F.Frame]> = [
      ['server', F.bulk('redis')],
      ['version', F.bulk(this.options.version ?? '7.0.15')],
      ['proto', F.integer(proto)],
      ['id', F.integer(conn.id)],
      ['mode', F.bulk(this.options.mode ?? 'cluster')],
      ['role', F.bulk(this.options.role ?? 'master')],
      ['modules', F.array([])],
    ];
    if (proto === 3) return F.map(fields.map(([k, v]) => [F.bulk(k), v] as const));
    return F.array(fields.flatMap(([k, v]) => [F.bulk(k), v]));
  }

  private text(protocol: 2 | 3, text: string): Buffer {
    return protocol === 3 ? F.verbatim(text) : F.bulk(text);
  }

  private idOf(n: NodeAddress): string {
    return n.id ?? nodeIdFor(n.host, n.port);
  }

  private clusterSlots(protocol: 2 | 3): Buffer {
    const node = (n: NodeAddress) => {
      const meta: Array<[F.Frame, F.Frame]> = n.hostname ? [[F.bulk('hostname'), F.bulk(n.hostname)]] : [];
      const metaFrame = protocol === 3 ? F.map(meta) : F.array(meta.flat());
      return F.array([F.bulk(n.host), F.integer(n.port), F.bulk(this.idOf(n)), metaFrame]);
    };
    return F.array(
      this.getSlots().map((r) => F.array([F.integer(r.start), F.integer(r.end), node(r.master), ...(r.replicas ?? []).map(node)])),
    );
  }

  private clusterShards(protocol: 2 | 3): Buffer {
    const mapOf = (pairs: Array<[string, F.Frame]>) =>
      protocol === 3 ? F.map(pairs.map(([k, v]) => [F.bulk(k), v] as const)) : F.array(pairs.flatMap(([k, v]) => [F.bulk(k), v]));
    const shards = new Map<string, { master: NodeAddress; replicas: NodeAddress[]; slots: number[] }>();
    for (const r of this.getSlots()) {
      const id = this.idOf(r.master);
      const s = shards.get(id) ?? { master: r.master, replicas: r.replicas ?? [], slots: [] };
      s.slots.push(r.start, r.end);
      shards.set(id, s);
    }
    const nodeMap = (n: NodeAddress, role: 'master' | 'replica') =>
      mapOf([
        ['id', F.bulk(this.idOf(n))],
        ['port', F.integer(n.port)],
        ['ip', F.bulk(n.host)],
        ['endpoint', F.bulk(n.host)],
        ...(n.hostname ? ([['hostname', F.bulk(n.hostname)]] as Array<[string, F.Frame]>) : []),
        ['role', F.bulk(role)],
        ['replication-offset', F.integer(n.replicationOffset ?? 1)],
        ['health', F.bulk(n.health ?? 'online')],
      ]);
    return F.array(
      [...shards.values()].map((s) =>
        mapOf([
          ['slots', F.array(s.slots.map((x) => F.integer(x)))],
          ['nodes', F.array([nodeMap(s.master, 'master'), ...s.replicas.map((r) => nodeMap(r, 'replica'))])],
        ]),
      ),
    );
  }

  private clusterNodesText(): string {
    const lines = new Map<string, string>();
    const ranges = new Map<string, string[]>();
    for (const r of this.getSlots()) {
      const id = this.idOf(r.master);
      ranges.set(id, [...(ranges.get(id) ?? []), r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`]);
    }
    const line = (n: NodeAddress, role: 'master' | 'slave', masterId: string) => {
      const id = this.idOf(n);
      const myself = n.port === this.boundPort && n.host === '127.0.0.1' ? 'myself,' : '';
      const addr = `${n.host}:${n.port}@${n.port + 10000}${n.hostname ? `,${n.hostname}` : ''}`;
      const slots = role === 'master' ? (ranges.get(id) ?? []).join(' ') : '';
      return `${id} ${addr} ${myself}${role} ${masterId} 0 0 1 connected${slots ? ` ${slots}` : ''}`;
    };
    for (const r of this.getSlots()) {
      const mid = this.idOf(r.master);
      if (!lines.has(mid)) lines.set(mid, line(r.master, 'master', '-'));
      for (const rep of r.replicas ?? []) if (!lines.has(this.idOf(rep))) lines.set(this.idOf(rep), line(rep, 'slave', mid));
    }
    return `${[...lines.values()].join('\n')}\n`;
  }

  private clusterInfoText(): string {
    const assigned = this.getSlots().reduce((n, r) => n + r.end - r.start + 1, 0);
    const masters = new Set(this.getSlots().map((r) => this.idOf(r.master))).size;
    return [
      `cluster_state:${assigned === 16384 ? 'ok' : 'fail'}`,
      `cluster_slots_assigned:${assigned}`,
      `cluster_slots_ok:${assigned}`,
      'cluster_slots_pfail:0',
      'cluster_slots_fail:0',
      `cluster_known_nodes:${masters}`,
      `cluster_size:${masters}`,
      'cluster_current_epoch:1',
      'cluster_my_epoch:1',
      '',
    ].join('\r\n');
  }
}
