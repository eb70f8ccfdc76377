import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig, migrateDatabase, runProcess } from '@sealpost/core';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import pino from 'pino';
import { loadGatewayConfig } from './config/gateway-config';
import { GatewayModule } from './gateway.module';
import { SmtpGatewayServer } from './smtp/smtp-gateway.server';

runProcess('smtp-gateway', async () => {
  const config = loadConfig();
  const gateway = loadGatewayConfig(process.env, config);
  const boot = pino({ level: config.logging.level, base: { service: 'smtp-gateway' } });
  // The gateway writes to PostgreSQL only (the worker's relay feeds the queues), so Redis is
  // not a precondition of accepting mail.
  const applied = await migrateDatabase(config.database.url);
  if (applied.length) {
    boot.info({ migrations: applied }, 'database migrated');
  }
  if (config.crypto.masterKeySource === 'generated-file') {
    boot.warn(
      { dataDir: config.dataDir },
      'using a generated development master key; set SEALPOST_MASTER_KEY in production',
    );
  }
  if (gateway.tls.source === 'generated') {
    boot.warn(
      { dataDir: config.dataDir },
      'using a generated self-signed gateway certificate; set SEALPOST_GATEWAY_TLS_CERT and ' +
        'SEALPOST_GATEWAY_TLS_KEY in production',
    );
  }
  const app = await NestFactory.createApplicationContext(GatewayModule.forRoot(config, gateway), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoNestLogger));
  app.enableShutdownHooks();
  await app.init();
  await app.get(SmtpGatewayServer).listen();
});
