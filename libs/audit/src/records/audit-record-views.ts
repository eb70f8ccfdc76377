import { type AuditActor, type AuditDetails, type AuditOutcome } from '@sealpost/core';

export interface AuditRecordView {
  sequence: number;
  recordedAt: string;
  actor: AuditActor;
  action: string;
  target: { type: string; id: string };
  outcome: AuditOutcome;
  details: AuditDetails;
  previousHash: string;
  hash: string;
}

export interface AuditRecordFilters {
  action?: string;
  actorType?: string;
  actorId?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  limit: number;
}

export interface AuditRecordPage {
  data: AuditRecordView[];
  nextCursor: string | null;
}

export interface CheckpointView {
  sequence: number;
  hash: string;
  signedAt: string;
  keyId: string;
  /** Base64 Ed25519 signature over the bytes described in libs/audit/README.md. */
  signature: string;
}

export interface SigningKeyView {
  keyId: string;
  /** Raw 32-byte Ed25519 public key, base64. */
  publicKey: string;
  publicKeyPem: string;
}

export interface CheckpointExport {
  organisationId: string;
  checkpoints: CheckpointView[];
  keys: SigningKeyView[];
  nextCursor: string | null;
}
