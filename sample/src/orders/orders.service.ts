import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { OnShardedMessage, RedisCluster } from 'nest-redis-cluster';
import type { Order, ReceivedOrder } from './order.interface.js';

/**
 * The sharded channel of European orders: the hash tag `{eu}` puts it in one slot, so SPUBLISH
 * and SSUBSCRIBE go to that slot's master only (classic PUBLISH would be broadcast to every node).
 */
export const ORDERS_CHANNEL = 'orders:{eu}';

/** How many received orders are kept (oldest dropped first). */
const KEEP = 100;

/**
 * Publishes orders on a sharded channel and receives them with `@OnShardedMessage`: the module
 * subscribes the handler at bootstrap, follows the channel's slot across reshards and failovers,
 * and unsubscribes it at shutdown.
 */
@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);
  private readonly received: ReceivedOrder[] = [];

  constructor(private readonly redis: RedisCluster) {}

  /** SPUBLISHes an order; resolves with it and how many subscribers got it. */
  async place(input: { item: string; quantity: number }): Promise<{ order: Order; receivers: number }> {
    const order: Order = { id: randomUUID(), item: String(input.item), quantity: Number(input.quantity) };
    const receivers = Number(await this.redis.sPublish(ORDERS_CHANNEL, JSON.stringify(order)));
    return { order, receivers };
  }

  /** Called for every message on the orders channel. A throw here is logged by the module; the subscription stays. */
  @OnShardedMessage(ORDERS_CHANNEL)
  onOrder(message: string, channel: string): void {
    const order = JSON.parse(message) as Order;
    this.received.push({ ...order, channel, receivedAt: new Date().toISOString() });
    if (this.received.length > KEEP) this.received.shift();
    this.logger.log(`Received order ${order.id}`);
  }

  /** The orders received so far, oldest first. */
  list(): ReceivedOrder[] {
    return [...this.received];
  }
}
