// Pure pieces of the state machine: de-duplication, windows and their backstop, the socket check,
// the endpoint type picked for 'auto', and the SMIGRATED check against a topology.
import { SeqDeduper } from '../../../lib/engine/maintenance/dedup.js';
import { isPrivateAddress, movingEndpointType } from '../../../lib/engine/maintenance/endpoint-type.js';
import { migrationApplied } from '../../../lib/engine/maintenance/slot-migration.js';
import { backstopMs, closedWindow, NodeWindows, openedWindow, socketCheckInterval, socketStalled } from '../../../lib/engine/maintenance/windows.js';
import { Topology } from '../../../lib/engine/cluster/topology.js';

describe('SeqDeduper', () => {
  it('passes each (type, seq) once', () => {
    const dedup = new SeqDeduper();
    expect(dedup.firstTime('MIGRATING', 1)).toBe(true);
    expect(dedup.firstTime('MIGRATING', 1)).toBe(false);
    expect(dedup.firstTime('MIGRATED', 1)).toBe(true);
    expect(dedup.firstTime('MIGRATING', 2)).toBe(true);
    expect(dedup.size).toBe(3);
  });

  it('is bounded: the oldest keys are forgotten first', () => {
    const dedup = new SeqDeduper(3);
    for (const seq of [1, 2, 3, 4]) expect(dedup.firstTime('MOVING', seq)).toBe(true);
    expect(dedup.size).toBe(3);
    expect(dedup.firstTime('MOVING', 4)).toBe(false);
    expect(dedup.firstTime('MOVING', 1)).toBe(true);
  });
});

describe('windows', () => {
  it('maps openers and closers to families', () => {
    expect(['MIGRATING', 'FAILING_OVER', 'SMIGRATING', 'MOVING'].map((t) => openedWindow(t as never))).toEqual(['migration', 'failover', 'slot-migration', 'handoff']);
    expect(['MIGRATED', 'FAILED_OVER', 'SMIGRATED', 'MOVING'].map((t) => closedWindow(t as never))).toEqual(['migration', 'failover', 'slot-migration', undefined]);
    expect(openedWindow('MIGRATED')).toBeUndefined();
  });

  it('backstop: twice the longer of the relaxed timeout and the announced time', () => {
    expect(backstopMs(10_000)).toBe(20_000);
    expect(backstopMs(10_000, 15)).toBe(30_000);
    expect(backstopMs(10_000, 2)).toBe(20_000);
    expect(backstopMs(1000, -3)).toBe(2000);
  });

  it('a node stays in maintenance while any window is open; expiry closes windows past their deadline', () => {
    const windows = new NodeWindows();
    expect(windows.active).toBe(false);
    expect(windows.nextDeadline()).toBeUndefined();
    windows.start('migration', 1, 1000);
    windows.start('failover', 2, 500);
    expect(windows.active).toBe(true);
    expect(windows.nextDeadline()).toBe(500);
    expect(windows.end('migration')).toBe(true);
    expect(windows.end('migration')).toBe(false);
    expect(windows.active).toBe(true);
    windows.start('handoff', 3, 2000);
    expect(windows.seqOf('handoff')).toBe(3);
    expect(windows.expire(499)).toEqual([]);
    expect(windows.expire(500)).toEqual([{ family: 'failover', seq: 2 }]);
    expect(windows.has('handoff')).toBe(true);
    windows.start('handoff', 4, 3000);
    expect(windows.seqOf('handoff')).toBe(4);
    windows.clear();
    expect(windows.active).toBe(false);
  });

  it('socket check: quiet time counts from the later of the last read and the first busy sample', () => {
    expect(socketStalled(10_000, 0, 5_000, 5_000)).toBe(true);
    expect(socketStalled(10_000, 6_000, 5_000, 5_000)).toBe(false);
    expect(socketStalled(10_000, 0, 6_000, 5_000)).toBe(false);
    expect(socketStalled(10_000, 0, 0, 0)).toBe(false);
    expect(socketCheckInterval(10_000)).toBe(1000);
    expect(socketCheckInterval(1000)).toBe(200);
    expect(socketCheckInterval(10)).toBe(50);
  });
});

describe("endpoint type for 'auto' (node-redis heuristics)", () => {
  it.each([
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['127.0.0.1', false],
    ['8.8.8.8', false],
    ['fd00::1', true],
    ['FC00::1', true],
    ['::1', true],
    ['fe80::1', true],
    ['2001:db8::1', false],
    ['redis.example.com', false],
  ])('%s private: %s', (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });

  it('private → internal, else external; TLS → fqdn, else ip; explicit types pass through', () => {
    expect(movingEndpointType('auto', '10.0.0.1', false)).toBe('internal-ip');
    expect(movingEndpointType('auto', '10.0.0.1', true)).toBe('internal-fqdn');
    expect(movingEndpointType('auto', '1.2.3.4', false)).toBe('external-ip');
    expect(movingEndpointType('auto', '1.2.3.4', true)).toBe('external-fqdn');
    expect(movingEndpointType('auto', undefined, true)).toBe('external-fqdn');
    expect(movingEndpointType('none', '10.0.0.1', true)).toBe('none');
    expect(movingEndpointType('internal-ip', '1.2.3.4', true)).toBe('internal-ip');
  });
});

describe('migrationApplied', () => {
  const node = (port: number) => ({ address: `127.0.0.1:${port}`, host: '127.0.0.1', port, role: 'master' as const });
  const topology = new Topology([
    { master: node(1), replicas: [], ranges: [[0, 99]] },
    { master: node(2), replicas: [], ranges: [[100, 16383]] },
  ]);
  const dst = { host: '127.0.0.1', port: 2 };

  it('is true only when every moved slot is served by its destination', () => {
    expect(migrationApplied(topology, [{ source: null, destination: dst, slots: [[100, 200]] }])).toBe(true);
    expect(migrationApplied(topology, [{ source: null, destination: dst, slots: [[99, 100]] }])).toBe(false);
    expect(migrationApplied(undefined, [])).toBe(false);
    expect(migrationApplied(topology, [])).toBe(true);
  });
});
