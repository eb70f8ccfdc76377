import { randomBytes } from 'node:crypto';
import { BullModule } from '@nestjs/bull';
import { Test, type TestingModule } from '@nestjs/testing';
import { AuditModule } from '@sealpost/audit';
import { CoreModule, loadConfig, OrganisationsService, type SealpostConfig } from '@sealpost/core';
import { CapturingLogger, createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { type FakeGoogle } from '@sealpost/test-peers/google';
import { DataSource } from 'typeorm';
import { GoogleConnectionsService } from '../connections/google-connections.service';
import { GoogleWorkspaceAdminModule, GoogleWorkspaceSyncModule } from '../google-workspace.module';

export interface GoogleTestModule {
  moduleRef: TestingModule;
  dataSource: DataSource;
  config: SealpostConfig;
  logs: CapturingLogger;
  close(): Promise<void>;
}

/**
 * The connector's admin and sync modules on a fresh database and real Redis, with Google's
 * API root and token URL pointed at the loopback fake.
 */
export async function startGoogleTestModule(google: FakeGoogle): Promise<GoogleTestModule> {
  const database: TestDatabase = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
    SEALPOST_QUEUE_PREFIX: `test-${randomBytes(6).toString('hex')}`,
    SEALPOST_LOG_LEVEL: 'silent',
    SEALPOST_GOOGLE_API_ROOT_URL: google.rootUrl,
    SEALPOST_GOOGLE_TOKEN_URL: google.tokenUrl,
    SEALPOST_GOOGLE_CERTS_URL: google.certsUrl,
  });
  const logs = new CapturingLogger();
  const moduleRef = await Test.createTestingModule({
    imports: [
      CoreModule.forRoot(config, []),
      AuditModule,
      BullModule.forRoot({ url: config.redis.url, prefix: config.redis.queuePrefix }),
      GoogleWorkspaceAdminModule,
      GoogleWorkspaceSyncModule,
    ],
  }).compile();
  moduleRef.useLogger(logs);
  await moduleRef.init();
  return {
    moduleRef,
    dataSource: moduleRef.get(DataSource),
    config,
    logs,
    close: async () => {
      await moduleRef.close();
      await database.drop();
    },
  };
}

export interface TestOrganisation {
  organisationId: string;
  admin: string;
  domain: string;
}

/** An organisation with a connection to the fake, its admin granted delegation. */
export async function aConnectedOrganisation(
  test: GoogleTestModule,
  google: FakeGoogle,
  settings: { pubsubTopic?: string } = {},
): Promise<TestOrganisation> {
  const suffix = randomBytes(4).toString('hex');
  const domain = `clinic-${suffix}.example`;
  const admin = `admin@${domain}`;
  google.delegated.add(admin);
  const organisation = await test.moduleRef
    .get(OrganisationsService)
    .create(`google-org-${suffix}`);
  await test.moduleRef.get(GoogleConnectionsService).create(
    organisation.id,
    {
      adminSubject: admin,
      domain,
      serviceAccountKey: google.serviceAccountKey,
      pubsubTopic: settings.pubsubTopic ?? 'projects/sealpost-test/topics/gmail-sent',
    },
    { type: 'system', id: 'test' },
  );
  return { organisationId: organisation.id, admin, domain };
}

/** `count` directory users of the domain, ids random, delegation granted to each. */
export function someUsers(google: FakeGoogle, domain: string, count: number): string[] {
  const addresses: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const address = `user${index}.${randomBytes(2).toString('hex')}@${domain}`;
    google.users.push({
      id: String(100000000000 + Math.floor(Math.random() * 1e11)),
      primaryEmail: address,
      name: { fullName: `Clinician ${index}` },
      suspended: false,
      isAdmin: false,
      orgUnitPath: '/',
    });
    google.delegated.add(address);
    addresses.push(address);
  }
  return addresses;
}

export { CapturingLogger };
