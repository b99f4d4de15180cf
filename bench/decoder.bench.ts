/**
 * RESP decoder/encoder throughput. Run: `npx tsx bench/decoder.bench.ts` (or with `node --cpu-prof`
 * via `node --import tsx bench/decoder.bench.ts`). Prints the median of several timed runs after warm-up.
 */
import { RespDecoder } from '../lib/engine/resp/decoder.js';
import { CommandEncoder } from '../lib/engine/resp/encoder.js';
import type { DecoderSink, RespValue } from '../lib/engine/resp/types.js';
import type { ReplyError } from '../lib/engine/errors/reply.error.js';

class CountingSink implements DecoderSink {
  replies = 0;
  last: RespValue = null;
  constructor(private readonly buffers: boolean) {}
  onReply(value: RespValue): void {
    this.replies++;
    this.last = value;
  }
  onErrorReply(_error: ReplyError): void {
    this.replies++;
  }
  onPush(_frame: RespValue[]): void {
    this.replies++;
  }
  wantBuffers(_isPush: boolean): boolean {
    return this.buffers;
  }
}

function chunked(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Row {
  name: string;
  mbPerSec: number;
  unitsPerSec: number;
  unit: string;
  msPerRun: number;
}

const rows: Row[] = [];

/** Time `run` (which processes `bytes` bytes and `units` items) and record the median. */
function measure(name: string, bytes: number, units: number, unit: string, run: () => void, minRuns = 20): void {
  const warmupUntil = performance.now() + 300;
  while (performance.now() < warmupUntil) run();
  const times: number[] = [];
  const stopAt = performance.now() + 1500;
  while (times.length < minRuns || performance.now() < stopAt) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
    if (times.length >= 2000) break;
  }
  const ms = median(times);
  rows.push({ name, mbPerSec: bytes / 1048576 / (ms / 1000), unitsPerSec: units / (ms / 1000), unit, msPerRun: ms });
}

function decodeCase(name: string, wire: Buffer, chunkSize: number, units: number, unit: string, buffers: boolean): void {
  const chunks = chunkSize >= wire.length ? [wire] : chunked(wire, chunkSize);
  const sink = new CountingSink(buffers);
  const decoder = new RespDecoder(sink);
  measure(name, wire.length, units, unit, () => {
    for (const c of chunks) decoder.write(c);
  });
}

// 1 MB array of 16-byte bulk strings.
const values: string[] = [];
let arrayBytes = 0;
for (let i = 0; arrayBytes < 1 << 20; i++) {
  const v = `value:${String(i).padStart(10, '0')}`;
  values.push(`$16\r\n${v}\r\n`);
  arrayBytes += 23;
}
const bigArray = Buffer.from(`*${values.length}\r\n${values.join('')}`);
decodeCase('1 MB array of 16 B bulks, whole', bigArray, Infinity, values.length, 'elem', false);
decodeCase('1 MB array of 16 B bulks, 64 KB chunks', bigArray, 65536, values.length, 'elem', false);
decodeCase('1 MB array of 16 B bulks, 64 KB, buffers', bigArray, 65536, values.length, 'elem', true);

// 100k small replies.
const small: string[] = [];
for (let i = 0; i < 100_000; i++) small.push(i % 3 === 0 ? '+OK\r\n' : i % 3 === 1 ? ':1\r\n' : '$3\r\nfoo\r\n');
const smallReplies = Buffer.from(small.join(''));
decodeCase('100k small replies (+OK/:1/$3), whole', smallReplies, Infinity, 100_000, 'reply', false);
decodeCase('100k small replies, 64 KB chunks', smallReplies, 65536, 100_000, 'reply', false);

// Mixed realistic replies: HGETALL-like map, nested CLUSTER SLOTS-like arrays.
const mixed: string[] = [];
for (let i = 0; i < 20_000; i++) {
  mixed.push('%2\r\n$4\r\nname\r\n$5\r\nalice\r\n$3\r\nage\r\n:42\r\n');
  mixed.push('*3\r\n:0\r\n:5460\r\n*3\r\n$9\r\n127.0.0.1\r\n:7000\r\n$40\r\n' + 'a'.repeat(40) + '\r\n');
}
const mixedReplies = Buffer.from(mixed.join(''));
decodeCase('40k maps/nested arrays, 64 KB chunks', mixedReplies, 65536, 40_000, 'reply', false);

// 10 MB bulk.
const size = 10 * 1024 * 1024;
const payload = Buffer.alloc(size, 'abcdefghijklmnopqrstuvwxyz');
const bigBulk = Buffer.concat([Buffer.from(`$${size}\r\n`), payload, Buffer.from('\r\n')]);
decodeCase('10 MB bulk, whole, string', bigBulk, Infinity, 1, 'reply', false);
decodeCase('10 MB bulk, 64 KB chunks, string', bigBulk, 65536, 1, 'reply', false);
decodeCase('10 MB bulk, 64 KB chunks, buffer', bigBulk, 65536, 1, 'reply', true);

// Encoder: SET key:<n> value, taken in batches of 100 commands (a tick's worth of pipelining), each
// batch's string flattened as socket.write would; and once as a single 100k batch (GC-heavy rope).
{
  const n = 100_000;
  const keys = Array.from({ length: n }, (_, i) => `key:${i}`);
  const encoder = new CommandEncoder();
  let bytes = 0;
  for (const k of keys) encoder.push(['SET', k, 'value']);
  for (const c of encoder.take()) bytes += typeof c === 'string' ? Buffer.byteLength(c) : c.length;
  let sinkBytes = 0;
  measure('encoder: SET key:<n> value, batches of 100', bytes, n, 'cmd', () => {
    for (let b = 0; b < n; b += 100) {
      for (let i = b; i < b + 100; i++) encoder.push(['SET', keys[i]!, 'value']);
      for (const c of encoder.take()) sinkBytes += typeof c === 'string' ? Buffer.byteLength(c) : c.length;
    }
  });
  measure('encoder: SET key:<n> value, one 100k batch', bytes, n, 'cmd', () => {
    for (let i = 0; i < n; i++) encoder.push(['SET', keys[i]!, 'value']);
    for (const c of encoder.take()) sinkBytes += typeof c === 'string' ? Buffer.byteLength(c) : c.length;
  }, 5);
  const value = Buffer.alloc(64, 1);
  const bufferBytes = bytes + n * (64 - 5);
  measure('encoder: SET key:<n> <64 B Buffer>, batches of 100', bufferBytes, n, 'cmd', () => {
    for (let b = 0; b < n; b += 100) {
      for (let i = b; i < b + 100; i++) encoder.push(['SET', keys[i]!, value]);
      for (const c of encoder.take()) sinkBytes += typeof c === 'string' ? Buffer.byteLength(c) : c.length;
    }
  });
  if (sinkBytes === 0) throw new Error('unreachable');
}

const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);
const rate = (perSec: number, unit: string) =>
  perSec >= 1e6 ? `${(perSec / 1e6).toFixed(2)} M ${unit}/s` : `${perSec.toFixed(0)} ${unit}/s`;
console.log(`node ${process.version}\n`);
console.log(`${pad('case', 52)} ${lpad('MB/s', 7)} ${lpad('items/s', 18)} ${lpad('ms/run', 9)}`);
console.log('-'.repeat(90));
for (const r of rows) {
  console.log(
    `${pad(r.name, 52)} ${lpad(r.mbPerSec.toFixed(0), 7)} ${lpad(rate(r.unitsPerSec, r.unit), 18)} ${lpad(r.msPerRun.toFixed(3), 9)}`,
  );
}
