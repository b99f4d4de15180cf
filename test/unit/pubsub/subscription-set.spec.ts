// The subscribe state machine (finding 18), with scripted SUBSCRIBE outcomes: concurrent subscribes of one
// name share one pending command and its outcome; a failed call undoes only what it added; a listener added
// twice is registered once. A model-based property test drives random interleavings.
import fc from 'fast-check';
import type { AnyPubSubListener } from '../../../lib/engine/pubsub/listeners.js';
import { SubscriptionSet, type SubscribeActions } from '../../../lib/engine/pubsub/subscription-set.js';

interface Sent {
  readonly names: string[];
  resolve(): void;
  reject(error: Error): void;
}

/** A set whose sends are recorded and settled by the test. */
function scripted(): { set: SubscriptionSet; sent: Sent[]; released: string[][]; actions: SubscribeActions; tick: () => Promise<void> } {
  const sent: Sent[] = [];
  const released: string[][] = [];
  const set = new SubscriptionSet(() => undefined);
  const actions: SubscribeActions = {
    send: (names) =>
      new Promise<void>((resolve, reject) => {
        sent.push({ names, resolve, reject });
      }),
    release: (names) => released.push(names),
  };
  const tick = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { set, sent, released, actions, tick };
}

function settleState(promise: Promise<void>): { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } {
  const out: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' };
  promise.then(
    () => (out.state = 'resolved'),
    (error: unknown) => {
      out.state = 'rejected';
      out.error = error;
    },
  );
  return out;
}

const listener = (): AnyPubSubListener => () => undefined;

describe('SubscriptionSet', () => {
  it('a second subscribe of a channel in flight waits for the same SUBSCRIBE and resolves after it', async () => {
    const { set, sent, actions, tick } = scripted();
    const first = settleState(set.add(['a'], listener(), false, actions));
    const second = settleState(set.add(['a'], listener(), false, actions));
    await tick();
    expect(sent.map((s) => s.names)).toEqual([['a']]);
    expect([first.state, second.state]).toEqual(['pending', 'pending']);
    sent[0]!.resolve();
    await tick();
    expect([first.state, second.state]).toEqual(['resolved', 'resolved']);
    // Subscribed now: a third call resolves without a command.
    await set.add(['a'], listener(), false, actions);
    expect(sent).toHaveLength(1);
  });

  it('a failed SUBSCRIBE rejects every caller that shares it with the same error, and removes their listeners', async () => {
    const { set, sent, actions, tick, released } = scripted();
    const [l1, l2] = [listener(), listener()];
    const first = settleState(set.add(['a'], l1, false, actions));
    const second = settleState(set.add(['a'], l2, false, actions));
    await tick();
    const refused = new Error('NOPERM');
    sent[0]!.reject(refused);
    await tick();
    expect(first).toEqual({ state: 'rejected', error: refused });
    expect(second).toEqual({ state: 'rejected', error: refused });
    expect(set.names).toEqual([]);
    expect(set.isPending('a')).toBe(false);
    expect(released.flat()).toEqual(['a']);
  });

  it('a subscribe issued in the same tick as the failure starts a new SUBSCRIBE (the failed name is gone at once)', async () => {
    const { set, sent, actions, tick } = scripted();
    const first = set.add(['a'], listener(), false, actions);
    await tick();
    let third: Promise<void> | undefined;
    first.catch(() => {
      third = set.add(['a'], listener(), false, actions);
    });
    sent[0]!.reject(new Error('refused'));
    await tick();
    expect(third).toBeDefined();
    const state = settleState(third!);
    await tick();
    expect(state.state).toBe('pending');
    expect(sent.map((s) => s.names)).toEqual([['a'], ['a']]);
  });

  it('a failed call undoes only its own additions: listeners of channels subscribed before stay', async () => {
    const { set, sent, actions, tick } = scripted();
    const [old, mine] = [listener(), listener()];
    const ok = set.add(['a'], old, false, actions);
    await tick();
    sent[0]!.resolve();
    await ok;
    const failing = settleState(set.add(['a', 'b'], mine, false, actions));
    await tick();
    expect(sent[1]!.names).toEqual(['b']);
    sent[1]!.reject(new Error('refused'));
    await tick();
    expect(failing.state).toBe('rejected');
    expect(set.names).toEqual(['a']);
    expect(set.listeners.hasListener('a', old)).toBe(true);
    expect(set.listeners.hasListener('a', mine)).toBe(false);
  });

  it('re-adding a listener already there in a failing call leaves the earlier registration in place', async () => {
    const { set, sent, actions, tick } = scripted();
    const same = listener();
    const ok = set.add(['a'], same, false, actions);
    await tick();
    sent[0]!.resolve();
    await ok;
    const failing = settleState(set.add(['a', 'b'], same, false, actions));
    await tick();
    sent[1]!.reject(new Error('refused'));
    await tick();
    expect(failing.state).toBe('rejected');
    expect(set.listeners.hasListener('a', same)).toBe(true);
    expect(set.names).toEqual(['a']);
  });

  it('a name unsubscribed by every caller while its SUBSCRIBE was in flight is released once the server has it', async () => {
    const { set, sent, actions, tick, released } = scripted();
    const l = listener();
    const call = set.add(['a'], l, false, actions);
    await tick();
    set.listeners.remove('a', l);
    sent[0]!.resolve();
    await call;
    expect(released).toEqual([['a']]);
  });

  it('registers the same listener once and delivers each message to it once', () => {
    const { set, actions } = scripted();
    const got: string[] = [];
    const l = (message: string) => got.push(message);
    void set.add(['a'], l, false, actions);
    void set.add(['a'], l, false, actions);
    void set.add(['a'], l, true, actions);
    set.listeners.deliver('a', 'a', Buffer.from('m1'));
    expect(got).toEqual(['m1']);
  });

  it('model: any interleaving of subscribes and SUBSCRIBE outcomes leaves exactly the listeners of successful calls', async () => {
    const names = ['a', 'b', 'c'];
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), names: fc.subarray(names, { minLength: 1 }) }),
      fc.record({ kind: fc.constant('settle' as const), index: fc.nat(20), ok: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const { set, sent, actions, tick } = scripted();
        const settledSends = new Set<Sent>();
        const calls: Array<{ names: string[]; listener: AnyPubSubListener; outcome: ReturnType<typeof settleState> }> = [];
        const settle = (s: Sent, ok: boolean) => {
          settledSends.add(s);
          if (ok) s.resolve();
          else s.reject(new Error('refused'));
        };
        for (const step of ops) {
          if (step.kind === 'add') {
            const l = listener();
            calls.push({ names: step.names, listener: l, outcome: settleState(set.add(step.names, l, false, actions)) });
          } else {
            const open = sent.filter((s) => !settledSends.has(s));
            if (open.length > 0) settle(open[step.index % open.length]!, step.ok);
          }
          await tick();
          // One SUBSCRIBE in flight per name at most.
          const inFlight = sent.filter((s) => !settledSends.has(s)).flatMap((s) => s.names);
          expect(new Set(inFlight).size).toBe(inFlight.length);
        }
        // Settle what is left, successfully.
        for (let open = sent.filter((s) => !settledSends.has(s)); open.length > 0; open = sent.filter((s) => !settledSends.has(s))) {
          for (const s of open) settle(s, true);
          await tick();
        }
        // Every call settled; a name is never sent twice while pending; registry = listeners of successful calls.
        for (const call of calls) expect(call.outcome.state).not.toBe('pending');
        for (const name of names) {
          const expected = calls.filter((c) => c.outcome.state === 'resolved' && c.names.includes(name)).map((c) => c.listener);
          const actual = calls.map((c) => c.listener).filter((l) => set.listeners.hasListener(name, l));
          expect(actual).toEqual(expected);
          expect(set.isPending(name)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
