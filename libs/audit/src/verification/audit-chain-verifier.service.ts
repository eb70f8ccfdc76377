import { Injectable } from '@nestjs/common';
import { type AuditActor, type AuditDetails, type AuditOutcome } from '@sealpost/core';
import { DataSource, type EntityManager } from 'typeorm';
import { type AuditRecord } from '../chain/audit-record';
import { GENESIS_HASH, recordHash } from '../chain/canonical-record';
import { checkpointSignatureValid } from '../checkpoints/checkpoint-signature';
import { type ChainFault, chainFault, type ChainVerification } from './chain-verification';

// Enough rows per read to keep round trips few, few enough to keep memory flat.
const PAGE_SIZE = 5000;

export interface AuditRecordRow {
  organisation_id: string;
  sequence: string;
  recorded_at: Date;
  actor_type: AuditActor['type'];
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  outcome: AuditOutcome;
  details: AuditDetails;
  previous_hash: Buffer;
  hash: Buffer;
}

interface CheckpointRow {
  sequence: string;
  hash: Buffer;
  signed_at: Date;
  key_id: string;
  signature: Buffer;
}

interface HeadRow {
  sequence: string;
}

export function recordOf(row: AuditRecordRow): AuditRecord {
  return {
    organisationId: row.organisation_id,
    sequence: Number(row.sequence),
    recordedAt: row.recorded_at,
    actor: { type: row.actor_type, id: row.actor_id },
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    outcome: row.outcome,
    details: row.details,
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}

/**
 * Walks an organisation's chain from its first record, recomputing every hash and link, and
 * checks each signed checkpoint against the chain; reports the first bad record. Reads one
 * snapshot, so appends made meanwhile neither confuse nor block it.
 */
@Injectable()
export class AuditChainVerifier {
  constructor(private readonly dataSource: DataSource) {}

  async verify(organisationId: string): Promise<ChainVerification> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      const result = await this.walk(runner.manager, organisationId);
      await runner.commitTransaction();
      return result;
    } finally {
      if (runner.isTransactionActive) {
        await runner.rollbackTransaction();
      }
      await runner.release();
    }
  }

  private async walk(tx: EntityManager, organisationId: string): Promise<ChainVerification> {
    const checkpoints = await this.checkpoints(tx, organisationId);
    const publicKeys = await this.publicKeys(tx);
    let previousHash: Buffer = GENESIS_HASH;
    let sequence = 0;
    let records = 0;
    let firstBad: ChainFault | null = null;

    while (!firstBad) {
      const rows = await tx.query<AuditRecordRow[]>(
        `SELECT * FROM audit_records WHERE organisation_id = $1 AND sequence > $2
          ORDER BY sequence LIMIT $3`,
        [organisationId, sequence, PAGE_SIZE],
      );
      for (const row of rows) {
        const record = recordOf(row);
        firstBad = this.check(record, sequence + 1, previousHash);
        firstBad ??= this.checkCheckpoint(record, checkpoints.get(record.sequence), publicKeys);
        if (firstBad) {
          break;
        }
        records += 1;
        sequence = record.sequence;
        previousHash = record.hash;
      }
      if (rows.length < PAGE_SIZE) {
        break;
      }
    }

    firstBad ??= await this.checkTail(tx, organisationId, sequence, checkpoints);
    return {
      organisationId,
      ok: !firstBad,
      records,
      checkpoints: checkpoints.size,
      lastSequence: sequence,
      lastHash: previousHash.toString('hex'),
      firstBad,
    };
  }

  private check(record: AuditRecord, expected: number, previousHash: Buffer): ChainFault | null {
    if (record.sequence !== expected) {
      return chainFault(expected, 'missing');
    }
    if (!record.previousHash.equals(previousHash)) {
      return chainFault(expected, 'broken_link');
    }
    if (!recordHash(record).equals(record.hash)) {
      return chainFault(expected, 'altered');
    }
    return null;
  }

  private checkCheckpoint(
    record: AuditRecord,
    checkpoint: CheckpointRow | undefined,
    publicKeys: Map<string, Buffer>,
  ): ChainFault | null {
    if (!checkpoint) {
      return null;
    }
    const publicKey = publicKeys.get(checkpoint.key_id);
    const facts = {
      organisationId: record.organisationId,
      sequence: record.sequence,
      hash: checkpoint.hash,
      signedAt: checkpoint.signed_at,
    };
    if (!publicKey || !checkpointSignatureValid(publicKey, facts, checkpoint.signature)) {
      return chainFault(record.sequence, 'checkpoint_signature_invalid');
    }
    if (!checkpoint.hash.equals(record.hash)) {
      return chainFault(record.sequence, 'checkpoint_mismatch');
    }
    return null;
  }

  /** Records past the last one read that a checkpoint or the chain head says exist. */
  private async checkTail(
    tx: EntityManager,
    organisationId: string,
    lastSequence: number,
    checkpoints: Map<number, CheckpointRow>,
  ): Promise<ChainFault | null> {
    const [head] = await tx.query<HeadRow[]>(
      `SELECT sequence FROM audit_chain_heads WHERE organisation_id = $1`,
      [organisationId],
    );
    let claimed = Number(head?.sequence ?? 0);
    for (const sequence of checkpoints.keys()) {
      claimed = Math.max(claimed, sequence);
    }
    return claimed > lastSequence ? chainFault(lastSequence + 1, 'missing') : null;
  }

  private async checkpoints(
    tx: EntityManager,
    organisationId: string,
  ): Promise<Map<number, CheckpointRow>> {
    const rows = await tx.query<CheckpointRow[]>(
      `SELECT sequence, hash, signed_at, key_id, signature FROM audit_checkpoints
        WHERE organisation_id = $1`,
      [organisationId],
    );
    return new Map(rows.map((row) => [Number(row.sequence), row]));
  }

  private async publicKeys(tx: EntityManager): Promise<Map<string, Buffer>> {
    const rows = await tx.query<{ id: string; public_key: Buffer }[]>(
      `SELECT id, public_key FROM audit_signing_keys`,
    );
    return new Map(rows.map((row) => [row.id, row.public_key]));
  }
}
