// A tiny one-shot RESP client for the harness (health polling, SETSLOT, MIGRATE...). Not the project's client.
// Each call opens a connection, sends the commands pipelined, reads one reply per command and closes.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { HOST } from './util.mjs';

export class RedisReplyError extends Error {
  constructor(message) {
    super(message);
    this.name = 'RedisReplyError';
    this.code = message.split(' ')[0];
  }
}

function encodeCommand(args) {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const buf = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg));
    parts.push(Buffer.from(`$${buf.length}\r\n`), buf, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

const INCOMPLETE = Symbol('incomplete');

/** Parses one RESP2/RESP3 value at `pos`; returns [value, nextPos] or INCOMPLETE. Errors become RedisReplyError values. */
function parse(buf, pos, buffers) {
  if (pos >= buf.length) return INCOMPLETE;
  const lineEnd = buf.indexOf('\r\n', pos);
  if (lineEnd === -1) return INCOMPLETE;
  const type = String.fromCharCode(buf[pos]);
  const line = buf.toString('utf8', pos + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return [line, next];
    case '-':
      return [new RedisReplyError(line), next];
    case ':':
      return [Number(line), next];
    case ',':
      return [Number(line.replace('inf', 'Infinity')), next];
    case '(':
      return [BigInt(line), next];
    case '#':
      return [line === 't', next];
    case '_':
      return [null, next];
    case '$':
    case '=':
    case '!': {
      const len = Number(line);
      if (len < 0) return [null, next];
      if (buf.length < next + len + 2) return INCOMPLETE;
      const raw = buf.subarray(next, next + len);
      if (type === '!') return [new RedisReplyError(raw.toString('utf8')), next + len + 2];
      return [buffers ? Buffer.from(raw) : raw.toString('utf8'), next + len + 2];
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      const n = Number(line);
      if (n < 0) return [null, next];
      const count = type === '%' || type === '|' ? n * 2 : n;
      const items = [];
      let p = next;
      for (let i = 0; i < count; i++) {
        const r = parse(buf, p, buffers);
        if (r === INCOMPLETE) return INCOMPLETE;
        items.push(r[0]);
        p = r[1];
      }
      if (type === '|') return parse(buf, p, buffers); // attributes: skip them
      return [items, p];
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)} at ${pos}`);
  }
}

function readMaybeFile(v) {
  if (v === undefined || v === null) return undefined;
  if (Buffer.isBuffer(v)) return v;
  return v.includes('-----BEGIN') ? v : readFileSync(v);
}

/**
 * Sends `commands` (an array of argv arrays) to one node and resolves with one reply per command (error replies are
 * RedisReplyError values, not rejections). Rejects on connection errors and after `timeoutMs` (default 3000).
 * target: port number or { host, port, tls?: { ca, cert?, key?, servername? } | true, user?, password? }.
 * opts.buffers: bulk strings as Buffers.
 */
export function pipeline(target, commands, { timeoutMs = 3000, buffers = false } = {}) {
  const t = typeof target === 'number' ? { port: target } : target;
  const host = t.host ?? HOST;
  const auth = t.password !== undefined ? [t.user !== undefined ? ['AUTH', t.user, t.password] : ['AUTH', t.password]] : [];
  const all = [...auth, ...commands];
  return new Promise((resolve, reject) => {
    let socket;
    let settled = false;
    let data = Buffer.alloc(0);
    const replies = [];
    const finish = (err, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(
      () => finish(new Error(`timeout after ${timeoutMs} ms talking to ${host}:${t.port} (${commands.map((c) => c[0]).join(',')})`)),
      timeoutMs,
    );
    const onConnect = () => socket.write(Buffer.concat(all.map(encodeCommand)));
    if (t.tls) {
      const o = t.tls === true ? {} : t.tls;
      socket = tls.connect({
        host,
        port: t.port,
        ca: readMaybeFile(o.ca),
        cert: readMaybeFile(o.cert),
        key: readMaybeFile(o.key),
        servername: o.servername ?? 'localhost',
        rejectUnauthorized: o.rejectUnauthorized ?? true,
      });
      socket.once('secureConnect', onConnect);
    } else {
      socket = net.connect({ host, port: t.port });
      socket.once('connect', onConnect);
    }
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error(`connection to ${host}:${t.port} closed after ${replies.length}/${all.length} replies`)));
    socket.on('data', (chunk) => {
      data = data.length ? Buffer.concat([data, chunk]) : chunk;
      let pos = 0;
      try {
        while (replies.length < all.length) {
          const r = parse(data, pos, buffers);
          if (r === INCOMPLETE) break;
          replies.push(r[0]);
          pos = r[1];
        }
      } catch (err) {
        finish(err);
        return;
      }
      data = data.subarray(pos);
      if (replies.length === all.length) {
        const authReply = auth.length ? replies[0] : null;
        if (authReply instanceof RedisReplyError) finish(authReply);
        else finish(null, replies.slice(auth.length));
      }
    });
  });
}

/** Sends one command; resolves with its reply, rejects with RedisReplyError on an error reply. */
export async function command(target, args, opts) {
  const [reply] = await pipeline(target, [args], opts);
  if (reply instanceof RedisReplyError) throw reply;
  return reply;
}

/** Parses INFO / CLUSTER INFO text into an object. */
export function parseInfo(text) {
  const out = {};
  for (const line of String(text).split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}
