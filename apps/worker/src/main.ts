import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig, preflight, runProcess } from '@sealpost/core';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import pino from 'pino';
import { WorkerModule } from './worker.module';

runProcess('worker', async () => {
  const config = loadConfig();
  await preflight(config, pino({ level: config.logging.level, base: { service: 'worker' } }));
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoNestLogger));
  app.enableShutdownHooks();
  await app.init();
  new Logger('Worker').log({ concurrency: config.delivery.workerConcurrency }, 'worker started');
});
