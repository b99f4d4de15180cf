// `npx tsx bench/backpressure.ts [lib-root]`: back-pressure against a frozen node. A local TCP server
// accepts connections, answers the handshake, then stops reading (like a SIGSTOPped redis-server:
// the kernel keeps the connection, nothing is answered, no FIN/RST). Issues N commands in one tick
// with maxQueueLength M and reports: event-loop time of the issuing loop, when the QueueFullErrors
// arrive (same tick or later), max event-loop delay while held commands wait, and when the last
// command settles relative to its deadline. Env: BP_TOTAL (200000), BP_LIMIT (50000), BP_TIMEOUT (2000).
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const total = Number(process.env['BP_TOTAL'] ?? 200_000);
const limit = Number(process.env['BP_LIMIT'] ?? 50_000);
const timeout = Number(process.env['BP_TIMEOUT'] ?? 2000);
const root = resolve(process.argv[2] ?? '.');

type Connection = {
  connect(): Promise<void>;
  sendCommand(args: string[]): Promise<unknown>;
  destroy(): Promise<void>;
  on(event: 'error', fn: (e: Error) => void): void;
};

async function main(): Promise<void> {
  const mod = (await import(pathToFileURL(join(root, 'lib/engine/connection/node-connection.ts')).href)) as { NodeConnection: new (o: object) => Connection };
  // A node that answers the handshake (RESP2: PING -> PONG), then never reads again.
  const server = net.createServer((socket) => {
    socket.once('data', () => {
      socket.write('+PONG\r\n');
      socket.pause();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const c = new mod.NodeConnection({ socket: { host: '127.0.0.1', port, reconnectStrategy: false }, RESP: 2, clientInfo: false, commandTimeout: timeout, maxQueueLength: limit });
  c.on('error', () => undefined);
  await c.connect();

  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let timerPhase = false;
  setTimeout(() => (timerPhase = true), 0);
  let full = 0;
  let lateFull = 0;
  let lastFullAt = 0;
  let lastSettledAt = 0;
  const start = performance.now();
  const all: Array<Promise<unknown>> = [];
  for (let i = 0; i < total; i++) {
    all.push(
      c.sendCommand(['SET', `key:${i % 1000}`, 'value']).then(
        () => (lastSettledAt = performance.now()),
        (e: Error) => {
          lastSettledAt = performance.now();
          if (e.name === 'QueueFullError') {
            full++;
            lastFullAt = performance.now();
            if (timerPhase) lateFull++;
          }
        },
      ),
    );
  }
  const loopMs = performance.now() - start;
  await Promise.all(all);
  delay.disable();
  const result = {
    total,
    maxQueueLength: limit,
    commandTimeoutMs: timeout,
    issueLoopMs: Math.round(loopMs),
    queueFullErrors: full,
    queueFullAfterTimerPhase: lateFull,
    lastQueueFullMs: Math.round(lastFullAt - start),
    lastSettledMs: Math.round(lastSettledAt - start),
    maxEventLoopDelayMs: Math.round(delay.max / 1e6),
  };
  console.log(JSON.stringify(result));
  await c.destroy();
  server.close();
}

import { join } from 'node:path';
main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
