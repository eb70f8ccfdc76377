import { EnvelopeCipher, type SealpostConfig } from '@sealpost/core';
import { type DataSource } from 'typeorm';
import { AuditCheckpointer } from '../checkpoints/audit-checkpointer';
import { AuditSigningKeys } from '../checkpoints/audit-signing-keys.service';
import { ChainedAuditLog } from './chained-audit-log';

/** The audit log for code outside Nest (the CLI, benchmarks), on an initialised data source. */
export function standaloneAuditLog(
  dataSource: DataSource,
  config: SealpostConfig,
): ChainedAuditLog {
  const cipher = new EnvelopeCipher(config.crypto.masterKey, config.crypto.previousMasterKeys);
  return new ChainedAuditLog(
    new AuditSigningKeys(dataSource, cipher, config),
    new AuditCheckpointer(config),
  );
}
