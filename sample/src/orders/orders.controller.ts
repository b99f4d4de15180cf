import { BadRequestException, Body, Controller, Get, Post } from '@nestjs/common';
import type { Order, ReceivedOrder } from './order.interface.js';
import { OrdersService } from './orders.service.js';

@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  /** Publishes an order on the sharded orders channel. */
  @Post()
  async place(@Body() body: { item?: unknown; quantity?: unknown }): Promise<{ order: Order; receivers: number }> {
    if (typeof body?.item !== 'string' || body.item === '') throw new BadRequestException('item must be a non-empty string');
    const quantity = body.quantity === undefined ? 1 : Number(body.quantity);
    if (!Number.isInteger(quantity) || quantity < 1) throw new BadRequestException('quantity must be a positive integer');
    return this.orders.place({ item: body.item, quantity });
  }

  /** What the `@OnShardedMessage` handler received. */
  @Get('received')
  received(): ReceivedOrder[] {
    return this.orders.list();
  }
}
