import { Injectable } from '@nestjs/common';
import { Cacheable } from 'nest-redis-cluster';

export interface Product {
  id: string;
  name: string;
}

/** A "database" read counted in `reads`; `@Cacheable` keeps the second read of an id away from it. */
@Injectable()
export class CatalogService {
  reads = 0;

  @Cacheable({ namespace: 'consumer-products', key: 'product:{id}', ttl: 60_000 })
  async findOne(id: string): Promise<Product> {
    this.reads++;
    return { id, name: `product ${id}` };
  }
}
