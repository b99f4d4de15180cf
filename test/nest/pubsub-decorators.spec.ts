/** The pub/sub decorators without a server: options checked at class definition, metadata only, stackable. */
import 'reflect-metadata';
import { Cacheable, ConfigError, OnMessage, OnPatternMessage, OnShardedMessage } from 'nest-redis-cluster';
import { getPubSubHandlers, PUBSUB_HANDLERS_METADATA } from '../../lib/nest/pubsub/pubsub-handler.metadata.js';

function optionOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).option;
  }
  throw new Error('did not throw');
}

describe('pub/sub decorators', () => {
  it('store one entry per decorator on the method and leave the method as it is', () => {
    class Plain {
      @OnShardedMessage('orders:{eu}')
      @OnMessage('news', { cluster: 'other' })
      @OnPatternMessage('prices:*', { buffers: true })
      on(message: string): string {
        return `got ${message}`;
      }
    }
    const method = Plain.prototype.on;
    expect(new Plain().on('x')).toBe('got x');
    expect(getPubSubHandlers(method)).toEqual([
      { kind: 'pattern', names: ['prices:*'], cluster: undefined, buffers: true },
      { kind: 'channel', names: ['news'], cluster: 'other', buffers: false },
      { kind: 'sharded', names: ['orders:{eu}'], cluster: undefined, buffers: false },
    ]);
    expect(Reflect.getOwnMetadataKeys(method)).toContain(PUBSUB_HANDLERS_METADATA);
  });

  it('de-duplicates the channels of one decorator', () => {
    class Spread {
      @OnShardedMessage(['a:{1}', 'b:{2}', 'a:{1}'])
      on(): void {}
    }
    expect(getPubSubHandlers(Spread.prototype.on)).toEqual([{ kind: 'sharded', names: ['a:{1}', 'b:{2}'], cluster: undefined, buffers: false }]);
  });

  it('record optional: true only when given', () => {
    class Lenient {
      @OnShardedMessage('a:{1}', { optional: true })
      @OnMessage('b', { optional: false })
      on(): void {}
    }
    expect(getPubSubHandlers(Lenient.prototype.on)).toEqual([
      { kind: 'channel', names: ['b'], cluster: undefined, buffers: false },
      { kind: 'sharded', names: ['a:{1}'], cluster: undefined, buffers: false, optional: true },
    ]);
  });

  it('keep their metadata whichever side of a cache decorator they are on', () => {
    class Mixed {
      @OnMessage('above')
      @Cacheable({ key: 'k:{0}' })
      @OnMessage('below')
      async on(message: string): Promise<string> {
        return message;
      }
    }
    expect(getPubSubHandlers(Mixed.prototype.on).map((entry) => entry.names[0]).sort()).toEqual(['above', 'below']);
  });

  it.each<[string, () => unknown]>([
    ['@OnShardedMessage.channel', () => OnShardedMessage('')],
    ['@OnShardedMessage.channel', () => OnShardedMessage([])],
    ['@OnMessage.channel', () => OnMessage(['ok', 3 as unknown as string])],
    ['@OnPatternMessage.pattern', () => OnPatternMessage(undefined as unknown as string)],
    ['@OnMessage.cluster', () => OnMessage('x', { cluster: 'a:b' })],
    ['@OnMessage.buffers', () => OnMessage('x', { buffers: 'yes' as unknown as boolean })],
    ['@OnShardedMessage.optional', () => OnShardedMessage('x', { optional: 1 as unknown as boolean })],
    ['@OnShardedMessage.nope', () => OnShardedMessage('x', { nope: 1 } as never)],
    ['@OnPatternMessage', () => OnPatternMessage('x', null as never)],
  ])('reject a bad argument when the class is defined: %s', (option, define) => {
    expect(optionOf(define)).toBe(option);
  });

  it('only decorate methods', () => {
    expect(() => {
      const decorate = OnMessage('x') as (target: object, key: string, descriptor: PropertyDescriptor) => void;
      decorate({}, 'field', { value: 42 });
    }).toThrow(/only methods can be decorated/);
  });
});
