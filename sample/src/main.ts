import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  // SIGTERM/SIGINT run the shutdown hooks: readiness turns down, Redis drains, then every socket closes.
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  Logger.log(`Sample app listening on http://localhost:${port} (try /products/1, /notes/hello, POST /orders, /orders/received, /health)`, 'Bootstrap');
}

void bootstrap();
