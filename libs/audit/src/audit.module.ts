import { Global, Module } from '@nestjs/common';
import { AuditLog } from '@sealpost/core';
import { ChainedAuditLog } from './chain/chained-audit-log';
import { AuditCheckpointer } from './checkpoints/audit-checkpointer';
import { AuditSigningKeys } from './checkpoints/audit-signing-keys.service';
import { AuditRecordsQuery } from './records/audit-records.query';
import { AuditChainVerifier } from './verification/audit-chain-verifier.service';

/**
 * Binds the AuditLog port for the whole process (global, so services of every feature module
 * can inject it) and offers the read side: records, checkpoints, verification.
 */
@Global()
@Module({
  providers: [
    AuditSigningKeys,
    AuditCheckpointer,
    ChainedAuditLog,
    { provide: AuditLog, useExisting: ChainedAuditLog },
    AuditChainVerifier,
    AuditRecordsQuery,
  ],
  exports: [
    AuditLog,
    ChainedAuditLog,
    AuditCheckpointer,
    AuditChainVerifier,
    AuditRecordsQuery,
    AuditSigningKeys,
  ],
})
export class AuditModule {}
