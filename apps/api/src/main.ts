import 'reflect-metadata';
import { loadConfig, preflight, runProcess } from '@sealpost/core';
import pino from 'pino';
import { createApiApp } from './create-api-app';

runProcess('api', async () => {
  const config = loadConfig();
  await preflight(config, pino({ level: config.logging.level, base: { service: 'api' } }));
  const app = await createApiApp(config);
  await app.listen(config.http.port);
});
