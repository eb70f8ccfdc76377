import { Injectable } from '@nestjs/common';
import { type AuditEntry, AuditLog } from '@sealpost/core';
import { type EntityManager } from 'typeorm';
import { AuditCheckpointer, type LockedChainHead } from '../checkpoints/audit-checkpointer';
import { AuditSigningKeys } from '../checkpoints/audit-signing-keys.service';
import { assertStorableEntry } from './audit-entry.validator';
import { type AuditRecord } from './audit-record';
import { GENESIS_HASH, recordHash } from './canonical-record';

interface HeadRow {
  sequence: string;
  hash: Buffer;
  checkpoint_sequence: string;
  checkpoint_at: Date;
}

/**
 * Appends to an organisation's hash chain inside the caller's transaction. The chain head
 * row is locked first (created on the first append), so concurrent appends of one
 * organisation queue behind each other and every record links to the one before it. The
 * lock is held until the caller commits: append as the last step of a transaction.
 */
@Injectable()
export class ChainedAuditLog extends AuditLog {
  constructor(
    private readonly signingKeys: AuditSigningKeys,
    private readonly checkpointer: AuditCheckpointer,
  ) {
    super();
  }

  async append(tx: EntityManager, entry: AuditEntry): Promise<void> {
    await this.appendAll(tx, entry.organisationId, [entry]);
  }

  /** Appends `entries`, all of `organisationId`, in order; returns the stored records. */
  async appendAll(
    tx: EntityManager,
    organisationId: string,
    entries: AuditEntry[],
  ): Promise<AuditRecord[]> {
    for (const entry of entries) {
      if (entry.organisationId !== organisationId) {
        throw new Error('audit entries of several organisations in one append');
      }
      assertStorableEntry(entry);
    }
    if (!entries.length) {
      return [];
    }
    // Loaded before the head is locked, so a first-time key load never holds up the chain.
    const signer = await this.signingKeys.current();

    const head = await this.lockHead(tx, organisationId);
    const now = new Date();
    const records = this.link(head, entries, now);
    await this.insert(tx, records);
    const last = records[records.length - 1];
    await tx.query(
      `UPDATE audit_chain_heads SET sequence = $2, hash = $3 WHERE organisation_id = $1`,
      [organisationId, last.sequence, last.hash],
    );

    const advanced = { ...head, sequence: last.sequence, hash: last.hash };
    if (this.checkpointer.isDue(advanced, now)) {
      await this.checkpointer.write(tx, advanced, signer, now);
    }
    return records;
  }

  /** Creates the head on the first append; the no-op update takes the row lock either way. */
  async lockHead(tx: EntityManager, organisationId: string): Promise<LockedChainHead> {
    const [row] = await tx.query<HeadRow[]>(
      `INSERT INTO audit_chain_heads (organisation_id, sequence, hash) VALUES ($1, 0, $2)
       ON CONFLICT (organisation_id) DO UPDATE SET sequence = audit_chain_heads.sequence
       RETURNING sequence, hash, checkpoint_sequence, checkpoint_at`,
      [organisationId, GENESIS_HASH],
    );
    return {
      organisationId,
      sequence: Number(row.sequence),
      hash: row.hash,
      checkpointSequence: Number(row.checkpoint_sequence),
      checkpointAt: row.checkpoint_at,
    };
  }

  private link(head: LockedChainHead, entries: AuditEntry[], now: Date): AuditRecord[] {
    let previousHash = head.hash;
    return entries.map((entry, index) => {
      const unhashed = {
        organisationId: head.organisationId,
        sequence: head.sequence + index + 1,
        recordedAt: now,
        actor: { type: entry.actor.type, id: entry.actor.id },
        action: entry.action,
        target: { type: entry.target.type, id: entry.target.id },
        outcome: entry.outcome ?? 'success',
        details: entry.details ?? {},
        previousHash,
      };
      const record = { ...unhashed, hash: recordHash(unhashed) };
      previousHash = record.hash;
      return record;
    });
  }

  private async insert(tx: EntityManager, records: AuditRecord[]): Promise<void> {
    const column = <T>(pick: (record: AuditRecord) => T): T[] => records.map(pick);
    await tx.query(
      `INSERT INTO audit_records (organisation_id, sequence, recorded_at, actor_type, actor_id,
         action, target_type, target_id, outcome, details, previous_hash, hash)
       SELECT $1, u.sequence, u.recorded_at, u.actor_type, u.actor_id, u.action, u.target_type,
              u.target_id, u.outcome, u.details::jsonb, decode(u.previous_hash, 'hex'),
              decode(u.hash, 'hex')
         FROM unnest($2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
           AS u(sequence, recorded_at, actor_type, actor_id, action, target_type, target_id,
                outcome, details, previous_hash, hash)`,
      [
        records[0].organisationId,
        column((record) => record.sequence),
        column((record) => record.recordedAt.toISOString()),
        column((record) => record.actor.type),
        column((record) => record.actor.id),
        column((record) => record.action),
        column((record) => record.target.type),
        column((record) => record.target.id),
        column((record) => record.outcome),
        column((record) => JSON.stringify(record.details)),
        column((record) => record.previousHash.toString('hex')),
        column((record) => record.hash.toString('hex')),
      ],
    );
  }
}
