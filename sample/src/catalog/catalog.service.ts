import { Injectable, NotFoundException } from '@nestjs/common';
import { CacheEvict, Cacheable } from 'nest-redis-cluster';
import type { Product } from './product.interface.js';

/**
 * An in-memory catalog standing in for a slow database. Reads are cached in Redis with
 * `@Cacheable`; writes evict with `@CacheEvict`. `databaseReads` shows the cache at work.
 */
@Injectable()
export class CatalogService {
  /** How many times the "database" was read. */
  databaseReads = 0;

  private readonly products = new Map<string, Product>([
    ['1', { id: '1', name: 'Keyboard', price: 49 }],
    ['2', { id: '2', name: 'Mouse', price: 19 }],
    ['3', { id: '3', name: 'Monitor', price: 199 }],
  ]);

  @Cacheable({ namespace: 'products', key: 'product:{id}', ttl: 60_000 })
  async findOne(id: string): Promise<Product | null> {
    await this.slowDatabase();
    return this.products.get(id) ?? null;
  }

  @Cacheable({ namespace: 'products', key: 'all' })
  async findAll(): Promise<Product[]> {
    await this.slowDatabase();
    return [...this.products.values()];
  }

  @CacheEvict({ namespace: 'products', key: ['product:{id}', 'all'] })
  async update(id: string, changes: Partial<Omit<Product, 'id'>>): Promise<Product> {
    const current = this.products.get(id);
    if (!current) throw new NotFoundException(`product ${id}`);
    const next = { ...current, ...changes, id };
    this.products.set(id, next);
    return next;
  }

  /** Drops every cached product at once (one INCR of the namespace version). */
  @CacheEvict({ namespace: 'products', allEntries: true })
  async clearCache(): Promise<void> {}

  private async slowDatabase(): Promise<void> {
    this.databaseReads++;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
