import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig, preflight, runProcess } from '@sealpost/core';
import { Logger } from 'nestjs-pino';
import pino from 'pino';
import { WorkerModule } from './worker.module';

runProcess('worker', async () => {
  const config = loadConfig();
  await preflight(config, pino({ level: config.logging.level, base: { service: 'worker' } }));
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
});
