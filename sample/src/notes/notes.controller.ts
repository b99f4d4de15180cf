import { Body, Controller, Get, NotFoundException, Param, Put } from '@nestjs/common';
import { InjectCluster, RedisCluster } from 'nest-redis-cluster';

/** Writes and reads through the injected cluster client: each note lands on the node serving its slot. */
@Controller('notes')
export class NotesController {
  constructor(@InjectCluster() private readonly redis: RedisCluster) {}

  @Put(':id')
  async write(@Param('id') id: string, @Body() body: { text: string }): Promise<{ id: string; slot: number }> {
    await this.redis.sendCommand(['SET', `note:${id}`, String(body.text), 'EX', 3600]);
    return { id, slot: this.redis.keySlot(`note:${id}`) };
  }

  @Get(':id')
  async read(@Param('id') id: string): Promise<{ id: string; text: string }> {
    const text = await this.redis.sendCommand<string | null>(['GET', `note:${id}`]);
    if (text === null) throw new NotFoundException(`note ${id}`);
    return { id, text };
  }
}
