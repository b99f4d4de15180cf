import { Body, Controller, Delete, Get, NotFoundException, Param, Put } from '@nestjs/common';
import { RedisCacheService, type CacheStats } from 'nest-redis-cluster';
import { CatalogService } from './catalog.service.js';
import type { Product } from './product.interface.js';

@Controller('products')
export class CatalogController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly cache: RedisCacheService,
  ) {}

  @Get()
  findAll(): Promise<Product[]> {
    return this.catalog.findAll();
  }

  @Get('stats')
  stats(): { databaseReads: number; cache: CacheStats } {
    return { databaseReads: this.catalog.databaseReads, cache: this.cache.stats() };
  }

  @Get(':id')
  async findOne(@Param('id') id: string): Promise<Product> {
    const product = await this.catalog.findOne(id);
    if (!product) throw new NotFoundException(`product ${id}`);
    return product;
  }

  @Put(':id')
  update(@Param('id') id: string, @Body() changes: Partial<Omit<Product, 'id'>>): Promise<Product> {
    return this.catalog.update(id, changes);
  }

  @Delete('cache')
  async clearCache(): Promise<{ cleared: true }> {
    await this.catalog.clearCache();
    return { cleared: true };
  }
}
