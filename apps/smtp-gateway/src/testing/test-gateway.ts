import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { standaloneAuditLog } from '@sealpost/audit';
import {
  EnvelopeCipher,
  type Env,
  loadConfig,
  OrganisationsService,
  type SealpostConfig,
} from '@sealpost/core';
import { createTestDatabase } from '@sealpost/core/testing';
import { GatewayAccessService } from '@sealpost/messaging';
import { createTestCa, issueCertificate, type TestCa } from '@sealpost/test-peers';
import { DataSource } from 'typeorm';
import { type GatewayConfig, loadGatewayConfig } from '../config/gateway-config';
import { GatewayModule } from '../gateway.module';
import { SmtpGatewayServer } from '../smtp/smtp-gateway.server';

/** The gateway as main.ts builds it, on loopback and a fresh database, with admin helpers. */
export interface TestGateway {
  app: INestApplicationContext;
  port: number;
  config: SealpostConfig;
  gateway: GatewayConfig;
  /** The CA that issued the gateway's certificate, for clients that verify it. */
  ca: TestCa;
  /** For set-up and for assertions on what was stored. */
  dataSource: DataSource;
  /** Credentials and ranges as an admin manages them (audited, as through the API). */
  access: GatewayAccessService;
  cipher: EnvelopeCipher;
  createOrganisation(): Promise<string>;
  close(): Promise<void>;
}

export async function startTestGateway(env: Env = {}): Promise<TestGateway> {
  const database = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
    SEALPOST_LOG_LEVEL: 'silent',
    ...env,
  });
  const ca = createTestCa('Sealpost Gateway Test CA');
  const pair = issueCertificate(ca, {
    commonName: 'localhost',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  const stem = join(tmpdir(), `sealpost-gateway-${process.pid}-${randomBytes(4).toString('hex')}`);
  writeFileSync(`${stem}.crt`, pair.certPem);
  writeFileSync(`${stem}.key`, pair.keyPem);
  const gateway = loadGatewayConfig(
    {
      SEALPOST_GATEWAY_HOST: '127.0.0.1',
      SEALPOST_GATEWAY_PORT: '0',
      SEALPOST_GATEWAY_TLS_CERT: `${stem}.crt`,
      SEALPOST_GATEWAY_TLS_KEY: `${stem}.key`,
      ...env,
    },
    config,
  );
  const app: INestApplicationContext = await NestFactory.createApplicationContext(
    GatewayModule.forRoot(config, gateway),
    { logger: false },
  );
  await app.init();
  const port = await app.get(SmtpGatewayServer).listen();

  const dataSource = app.get(DataSource);
  const cipher = app.get(EnvelopeCipher);
  const organisations = new OrganisationsService(dataSource);
  return {
    app,
    port,
    config,
    gateway,
    ca,
    dataSource,
    access: new GatewayAccessService(dataSource, standaloneAuditLog(dataSource, config)),
    cipher,
    createOrganisation: async () =>
      (await organisations.create(`org-${randomBytes(6).toString('hex')}`)).id,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
