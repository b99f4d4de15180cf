// A frozen master (SIGSTOP: the kernel keeps the TCP connection up, nothing is ever answered, no FIN,
// no RST) seen from node connections of the real chaos cluster: the liveness check detects it under
// load, and back-pressure against it is O(1): QueueFullError at once, every command settles, and
// other shards keep serving meanwhile.
import { NodeConnection } from '../../lib/engine/connection/node-connection.js';
import { QueueFullError } from '../../lib/engine/errors/base.error.js';
import { MovedError } from '../../lib/engine/errors/reply.error.js';
import { ConnectionClosedError, ConnectionError } from '../../lib/engine/errors/connection.error.js';
import { useFreshChaosCluster } from '../support/chaos-cluster.js';
import { describeWithServers, keysInSlot, mastersAndReplicas, pauseNode, resumeNode, testServers } from '../support/servers.js';

const chaos = () => testServers().clusters.chaos;

describeWithServers('a frozen master seen from node connections', () => {
  useFreshChaosCluster();
  const opened: NodeConnection[] = [];
  let frozen: number | undefined;

  afterEach(async () => {
    if (frozen !== undefined) await resumeNode(frozen);
    frozen = undefined;
    await Promise.all(opened.splice(0).map((c) => c.destroy()));
  });

  async function connectTo(port: number, options: { livenessTimeout?: number; commandTimeout?: number; maxQueueLength?: number }): Promise<{ c: NodeConnection; errors: Error[] }> {
    const errors: Error[] = [];
    const c = new NodeConnection({
      socket: { host: '127.0.0.1', port, reconnectStrategy: 50, connectTimeout: 500, livenessTimeout: options.livenessTimeout ?? 5000 },
      commandTimeout: options.commandTimeout ?? 0,
      maxQueueLength: options.maxQueueLength ?? 100_000,
    });
    c.on('error', (e) => errors.push(e));
    opened.push(c);
    await c.connect();
    return { c, errors };
  }

  /** Keys owned by `port` (so a live node would answer, not redirect). */
  async function keysOn(port: number, count: number): Promise<string[]> {
    const topology = await mastersAndReplicas(chaos());
    const shard = topology.shards.find((s) => s.master.port === port)!;
    return keysInSlot(shard.slots[0]![0], count, 'frozen');
  }

  it('under load, a SIGSTOPped master is detected by the liveness check: written commands reject with mayHaveRun', async () => {
    const [master] = (await mastersAndReplicas(chaos())).masters;
    const keys = await keysOn(master!, 16);
    // No command deadline: only the liveness check can settle the commands below.
    const { c, errors } = await connectTo(master!, { livenessTimeout: 300, commandTimeout: 0 });
    expect(await c.sendCommand(['SET', keys[0]!, 'before'])).toBe('OK');
    await pauseNode(master!);
    frozen = master;
    const outcomes = await Promise.all(Array.from({ length: 5000 }, (_, i) => c.sendCommand(['SET', keys[i % keys.length]!, String(i)]).catch((e: unknown) => e)));
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(ConnectionClosedError);
      expect((outcome as ConnectionClosedError).mayHaveRun).toBe(true);
    }
    expect(errors.some((e) => e instanceof ConnectionError && e.message.includes('socket.livenessTimeout'))).toBe(true);
    expect(c.inflightCount).toBe(0);
  }, 60_000);

  it('200,000 commands to a frozen master with maxQueueLength 50,000: QueueFullError before the next timer phase, a healthy shard serves meanwhile, the 50,000 held settle when the node thaws', async () => {
    const masters = (await mastersAndReplicas(chaos())).masters;
    const [victim, healthyPort] = masters;
    const keys = await keysOn(victim!, 64);
    const healthyKeys = await keysOn(healthyPort!, 1);
    // No deadline and no liveness check on the frozen node's connection: nothing but the node itself
    // can settle the held commands, so the test depends on no clock (the issuing loop may take
    // seconds on a busy machine). Deadlines and liveness against a frozen node are covered above.
    const { c } = await connectTo(victim!, { commandTimeout: 0, livenessTimeout: 0, maxQueueLength: 50_000 });
    const { c: healthy } = await connectTo(healthyPort!, { commandTimeout: 5000 });
    await pauseNode(victim!);
    frozen = victim;

    let timerPhase = false;
    const marker = setTimeout(() => (timerPhase = true), 0);
    let lateQueueFull = 0;
    let queueFull = 0;
    let settled = 0;
    const outcomes: Array<Promise<unknown>> = [];
    for (let i = 0; i < 200_000; i++) {
      outcomes.push(
        c.sendCommand(['SET', keys[i % keys.length]!, 'x']).then(
          (value) => {
            settled++;
            return value;
          },
          (error: unknown) => {
            settled++;
            if (error instanceof QueueFullError) {
              queueFull++;
              if (timerPhase) lateQueueFull++;
            }
            return error;
          },
        ),
      );
    }
    // Everything past the bound was refused at once; nothing else has settled yet.
    await Promise.resolve();
    expect(timerPhase).toBe(false);
    expect(queueFull).toBe(150_000);
    expect(lateQueueFull).toBe(0);
    expect(c.pendingCount + c.inflightCount).toBe(50_000);

    // The healthy shard answers while the 50,000 held commands are still waiting.
    expect(await healthy.sendCommand(['SET', healthyKeys[0]!, 'alive'])).toBe('OK');
    expect(settled).toBeLessThan(200_000);

    // Thawed, the node answers every held command: none was lost or left hanging. (If the pause lasted
    // long enough for a failover, the demoted node answers MOVED: still an answer.)
    await resumeNode(victim!);
    frozen = undefined;
    const results = await Promise.all(outcomes);
    clearTimeout(marker);
    expect(settled).toBe(200_000);
    const held = results.filter((r) => !(r instanceof QueueFullError));
    expect(held).toHaveLength(50_000);
    for (const r of held) expect(r === 'OK' || r instanceof MovedError).toBe(true);
  }, 120_000);
});
