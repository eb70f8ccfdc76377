import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  AuditChainVerifier,
  type AuditRecordPage,
  AuditRecordsQuery,
  type ChainVerification,
  type CheckpointExport,
} from '@sealpost/audit';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import { AuditCheckpointsQueryDto, AuditRecordsQueryDto } from './audit-records.query.dto';

/** The caller's organisation's audit chain: records, verification, signed checkpoints. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit')
export class AuditController {
  constructor(
    private readonly records: AuditRecordsQuery,
    private readonly verifier: AuditChainVerifier,
  ) {}

  /** Newest first; filters combine. */
  @Get('records')
  @RequireScope('audit:read')
  list(
    @Caller() caller: AuthContext,
    @Query() query: AuditRecordsQueryDto,
  ): Promise<AuditRecordPage> {
    return this.records.list(caller.organisationId, query);
  }

  /** Recomputes the whole chain and checks every checkpoint; names the first bad record. */
  @Get('verify')
  @RequireScope('audit:read')
  verify(@Caller() caller: AuthContext): Promise<ChainVerification> {
    return this.verifier.verify(caller.organisationId);
  }

  /** Oldest first, with the public keys that verify them. */
  @Get('checkpoints')
  @RequireScope('audit:read')
  checkpoints(
    @Caller() caller: AuthContext,
    @Query() query: AuditCheckpointsQueryDto,
  ): Promise<CheckpointExport> {
    return this.records.checkpoints(caller.organisationId, query.cursor, query.limit);
  }
}
