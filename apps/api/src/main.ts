import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig, preflight, runProcess } from '@sealpost/core';
import pino from 'pino';
import { createApiApp } from './create-api-app';

runProcess('api', async () => {
  const config = loadConfig();
  await preflight(config, pino({ level: config.logging.level, base: { service: 'api' } }));
  const app = await createApiApp(config);
  await app.listen(config.http.port);
  new Logger('Api').log({ port: config.http.port }, 'api listening');
});
