import { type AuditActor, type AuditDetails, type AuditOutcome } from '@sealpost/core';

/** One stored link of an organisation's chain. */
export interface AuditRecord {
  organisationId: string;
  /** 1, 2, 3... per organisation, without gaps. */
  sequence: number;
  /** Millisecond precision, so the canonical form survives a round trip through PostgreSQL. */
  recordedAt: Date;
  actor: AuditActor;
  action: string;
  target: { type: string; id: string };
  outcome: AuditOutcome;
  details: AuditDetails;
  previousHash: Buffer;
  hash: Buffer;
}

/** The record before it is hashed. */
export type UnhashedAuditRecord = Omit<AuditRecord, 'hash'>;
