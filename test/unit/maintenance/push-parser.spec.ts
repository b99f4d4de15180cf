// Parsing of every maintenance push type, fed the exact wire frames of protocol-notes §1.3 through
// the real RESP3 decoder (strings, Buffers, integers, nulls).
import { RespDecoder } from '../../../lib/engine/resp/decoder.js';
import type { RespValue } from '../../../lib/engine/resp/types.js';
import {
  MalformedMaintenancePushError,
  maintenanceTypeOf,
  parseEndpoint,
  parseMaintenancePush,
  parseSlotList,
} from '../../../lib/engine/maintenance/index.js';

/** Decodes raw RESP3 bytes into the push frames the connection would emit. */
function pushes(wire: string, buffers = false): RespValue[][] {
  const frames: RespValue[][] = [];
  const decoder = new RespDecoder({
    onReply: () => undefined,
    onErrorReply: () => undefined,
    onPush: (frame) => frames.push(frame),
    wantBuffers: () => buffers,
  });
  decoder.write(Buffer.from(wire, 'latin1'));
  return frames;
}

function one(wire: string, buffers = false) {
  const frames = pushes(wire, buffers);
  expect(frames).toHaveLength(1);
  return parseMaintenancePush(frames[0]!);
}

describe('parseMaintenancePush: wire frames of protocol-notes §1.3', () => {
  it.each([false, true])('MOVING with an endpoint (buffers: %s)', (buffers) => {
    expect(one('>4\r\n+MOVING\r\n:1\r\n:15\r\n+10.0.0.2:12075\r\n', buffers)).toEqual({
      type: 'MOVING',
      seq: 1,
      timeSeconds: 15,
      endpoint: { host: '10.0.0.2', port: 12075 },
    });
  });

  it('MOVING with a null endpoint (`_`), and with the text "null"', () => {
    expect(one('>4\r\n+MOVING\r\n:1\r\n:15\r\n_\r\n')).toEqual({ type: 'MOVING', seq: 1, timeSeconds: 15, endpoint: null });
    expect(one('>4\r\n+MOVING\r\n:2\r\n:0\r\n$4\r\nnull\r\n')).toEqual({ type: 'MOVING', seq: 2, timeSeconds: 0, endpoint: null });
  });

  it('MOVING with an IPv6 endpoint splits at the last colon, with or without brackets', () => {
    expect(one('>4\r\n+MOVING\r\n:3\r\n:5\r\n+fd00::2:6380\r\n')).toMatchObject({ endpoint: { host: 'fd00::2', port: 6380 } });
    expect(one('>4\r\n+MOVING\r\n:3\r\n:5\r\n$11\r\n[::1]:12000\r\n')).toMatchObject({ endpoint: { host: '::1', port: 12000 } });
  });

  it('MIGRATING and MIGRATED as bulk strings, with a negative time, and optional shard ids', () => {
    const [migrating, migrated] = pushes('>3\r\n$9\r\nMIGRATING\r\n:1\r\n:10\r\n>2\r\n$8\r\nMIGRATED\r\n:1\r\n');
    expect(parseMaintenancePush(migrating!)).toEqual({ type: 'MIGRATING', seq: 1, timeSeconds: 10 });
    expect(parseMaintenancePush(migrated!)).toEqual({ type: 'MIGRATED', seq: 1 });
    expect(one('>4\r\n+MIGRATING\r\n:7\r\n:-1\r\n*2\r\n+shard-1\r\n:2\r\n')).toEqual({ type: 'MIGRATING', seq: 7, timeSeconds: -1, shards: ['shard-1', '2'] });
    expect(one('>3\r\n+MIGRATED\r\n:7\r\n+shard-1\r\n')).toEqual({ type: 'MIGRATED', seq: 7, shards: ['shard-1'] });
  });

  it('FAILING_OVER and FAILED_OVER', () => {
    expect(one('>3\r\n+FAILING_OVER\r\n:42\r\n:2\r\n')).toEqual({ type: 'FAILING_OVER', seq: 42, timeSeconds: 2 });
    expect(one('>2\r\n+FAILED_OVER\r\n:42\r\n')).toEqual({ type: 'FAILED_OVER', seq: 42 });
  });

  it('SMIGRATING with slots and ranges', () => {
    expect(one('>3\r\n+SMIGRATING\r\n:93923\r\n+123,789-1000\r\n')).toEqual({ type: 'SMIGRATING', seq: 93923, slots: [[123, 123], [789, 1000]] });
  });

  it.each([false, true])('SMIGRATED with one triplet (buffers: %s)', (buffers) => {
    expect(one('>3\r\n+SMIGRATED\r\n:93924\r\n*1\r\n*3\r\n+127.0.0.1:6379\r\n+127.0.0.2:6380\r\n+123,789-1000\r\n', buffers)).toEqual({
      type: 'SMIGRATED',
      seq: 93924,
      migrations: [{ source: { host: '127.0.0.1', port: 6379 }, destination: { host: '127.0.0.2', port: 6380 }, slots: [[123, 123], [789, 1000]] }],
    });
  });

  it('SMIGRATED with several triplets (a source repeated) and the older pair layout', () => {
    const n = one(
      '>3\r\n+SMIGRATED\r\n:5\r\n*3\r\n' +
        '*3\r\n+127.0.0.1:6379\r\n+127.0.0.2:6380\r\n+1,2\r\n' +
        '*3\r\n+127.0.0.1:6379\r\n+127.0.0.3:6381\r\n+3-5\r\n' +
        '*2\r\n+127.0.0.4:6382\r\n+9\r\n',
    );
    expect(n).toMatchObject({ type: 'SMIGRATED', seq: 5 });
    const migrations = n?.type === 'SMIGRATED' ? n.migrations : [];
    expect(migrations).toEqual([
      { source: { host: '127.0.0.1', port: 6379 }, destination: { host: '127.0.0.2', port: 6380 }, slots: [[1, 1], [2, 2]] },
      { source: { host: '127.0.0.1', port: 6379 }, destination: { host: '127.0.0.3', port: 6381 }, slots: [[3, 5]] },
      { source: null, destination: { host: '127.0.0.4', port: 6382 }, slots: [[9, 9]] },
    ]);
  });

  it('tolerates extra trailing elements and lower-case kinds', () => {
    expect(one('>4\r\n+migrated\r\n:9\r\n*0\r\n+extra\r\n')).toEqual({ type: 'MIGRATED', seq: 9 });
    expect(one('>5\r\n+MOVING\r\n:1\r\n:15\r\n+h:1\r\n+extra\r\n')).toMatchObject({ endpoint: { host: 'h', port: 1 } });
  });

  it('returns undefined for pushes that are not maintenance notifications', () => {
    expect(one('>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n')).toBeUndefined();
    expect(one('>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n')).toBeUndefined();
    expect(maintenanceTypeOf([])).toBeUndefined();
    expect(maintenanceTypeOf([42])).toBeUndefined();
  });

  it.each([
    ['a seq that is not an integer', '>3\r\n+MIGRATING\r\n+x\r\n:1\r\n'],
    ['a missing time', '>2\r\n+MIGRATING\r\n:1\r\n'],
    ['an endpoint without a port', '>4\r\n+MOVING\r\n:1\r\n:1\r\n+10.0.0.2\r\n'],
    ['an out-of-range slot', '>3\r\n+SMIGRATING\r\n:1\r\n+16384\r\n'],
    ['a descending range', '>3\r\n+SMIGRATING\r\n:1\r\n+9-3\r\n'],
    ['migrations that are not an array', '>3\r\n+SMIGRATED\r\n:1\r\n+1,2\r\n'],
    ['a one-element migration', '>3\r\n+SMIGRATED\r\n:1\r\n*1\r\n*1\r\n+h:1\r\n'],
  ])('throws MalformedMaintenancePushError on %s', (_name, wire) => {
    expect(() => one(wire)).toThrow(MalformedMaintenancePushError);
  });
});

describe('endpoint and slot helpers', () => {
  it('parseEndpoint', () => {
    expect(parseEndpoint('redis-1.example.com:12000')).toEqual({ host: 'redis-1.example.com', port: 12000 });
    expect(parseEndpoint('2001:db8::1:6379')).toEqual({ host: '2001:db8::1', port: 6379 });
    expect(parseEndpoint('host')).toBeUndefined();
    expect(parseEndpoint(':6379')).toBeUndefined();
    expect(parseEndpoint('h:0')).toBeUndefined();
    expect(parseEndpoint('h:70000')).toBeUndefined();
    expect(parseEndpoint('h:12x')).toBeUndefined();
  });

  it('parseSlotList', () => {
    expect(parseSlotList('0,16383,5-7')).toEqual([[0, 0], [16383, 16383], [5, 7]]);
    expect(parseSlotList(' 1 , ,2')).toEqual([[1, 1], [2, 2]]);
    expect(parseSlotList('')).toEqual([]);
    expect(() => parseSlotList('a')).toThrow(RangeError);
  });
});
