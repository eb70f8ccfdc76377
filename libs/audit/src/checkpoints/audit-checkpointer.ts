import { Inject, Injectable } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { type EntityManager } from 'typeorm';
import { type AuditSigner } from './audit-signing-keys.service';
import { signCheckpoint } from './checkpoint-signature';

/** An organisation's chain head as locked by the transaction that holds it. */
export interface LockedChainHead {
  organisationId: string;
  sequence: number;
  hash: Buffer;
  checkpointSequence: number;
  checkpointAt: Date;
}

/**
 * Signs a checkpoint of a locked chain head when one is due: after `checkpointEvery` records,
 * or when records came since a checkpoint `checkpointMinutes` old. The caller holds the head's
 * row lock, so checkpoints follow the chain's order.
 */
@Injectable()
export class AuditCheckpointer {
  constructor(@Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig) {}

  isDue(head: LockedChainHead, now: Date): boolean {
    const since = head.sequence - head.checkpointSequence;
    const age = now.getTime() - head.checkpointAt.getTime();
    return (
      since >= this.config.audit.checkpointEvery ||
      (since > 0 && age >= this.config.audit.checkpointMinutes * 60_000)
    );
  }

  async write(
    tx: EntityManager,
    head: LockedChainHead,
    signer: AuditSigner,
    now: Date,
  ): Promise<void> {
    const facts = { ...head, signedAt: now };
    await tx.query(
      `INSERT INTO audit_checkpoints
         (organisation_id, sequence, hash, signed_at, key_id, signature)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        head.organisationId,
        head.sequence,
        head.hash,
        now,
        signer.keyId,
        signCheckpoint(signer.privateKey, facts),
      ],
    );
    await tx.query(
      `UPDATE audit_chain_heads SET checkpoint_sequence = $2, checkpoint_at = $3
        WHERE organisation_id = $1`,
      [head.organisationId, head.sequence, now],
    );
  }
}
