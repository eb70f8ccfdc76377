import {
  AuditChainVerifier,
  AuditCheckpointer,
  AuditSigningKeys,
  ChainedAuditLog,
} from '@sealpost/audit';
import {
  ApiKeysService,
  type AuditLog,
  BootError,
  CORE_ENTITIES,
  createDataSource,
  type Env,
  EnvelopeCipher,
  loadConfig,
  migrateDatabase,
  OrganisationsService,
  SealpostError,
  SystemClock,
  UsersService,
} from '@sealpost/core';
import { type DataSource } from 'typeorm';

export interface CliContext {
  organisations: OrganisationsService;
  apiKeys: ApiKeysService;
  auditVerifier: AuditChainVerifier;
  users: UsersService;
  /** For commands whose audited services live in other libraries (the gateway's access). */
  auditLog: AuditLog;
  /** For commands whose services live in other libraries (contacts import). */
  dataSource: DataSource;
}

/** Opens the configured database (creating and migrating it if needed) for one command. */
export async function withContext<T>(
  run: (context: CliContext) => Promise<T>,
  env: Env = process.env,
): Promise<T> {
  const config = loadConfig(env);
  await migrateDatabase(config.database.url);
  const dataSource = createDataSource(config.database.url, CORE_ENTITIES);
  await dataSource.initialize();
  const cipher = new EnvelopeCipher(config.crypto.masterKey, config.crypto.previousMasterKeys);
  const auditLog = new ChainedAuditLog(
    new AuditSigningKeys(dataSource, cipher, config),
    new AuditCheckpointer(config),
  );
  try {
    return await run({
      organisations: new OrganisationsService(dataSource),
      apiKeys: new ApiKeysService(dataSource, auditLog),
      auditVerifier: new AuditChainVerifier(dataSource),
      users: new UsersService(dataSource, new SystemClock(), auditLog),
      auditLog,
      dataSource,
    });
  } finally {
    await dataSource.destroy();
  }
}

export function reportFailure(error: unknown): void {
  const known = error instanceof BootError || error instanceof SealpostError;
  const message = known ? error.message : `unexpected ${(error as Error).name ?? 'error'}`;
  process.stderr.write(`sealpost: ${message}\n`);
  // Details name fields and rules, never values, so they are safe to show.
  for (const detail of error instanceof SealpostError ? (error.details ?? []) : []) {
    process.stderr.write(`  ${detail.path}: ${detail.message}\n`);
  }
  process.exitCode = 1;
}

export function print(line: string): void {
  process.stdout.write(line + '\n');
}
