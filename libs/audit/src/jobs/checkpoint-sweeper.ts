import { Inject, Injectable } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { ChainedAuditLog } from '../chain/chained-audit-log';
import { AuditCheckpointer } from '../checkpoints/audit-checkpointer';
import { AuditSigningKeys } from '../checkpoints/audit-signing-keys.service';

/**
 * Appends check the record count and the checkpoint's age themselves; this sweep signs the
 * quiet organisations, whose newest records would otherwise wait for their next append.
 */
@Injectable()
export class CheckpointSweeper {
  constructor(
    private readonly dataSource: DataSource,
    private readonly auditLog: ChainedAuditLog,
    private readonly checkpointer: AuditCheckpointer,
    private readonly signingKeys: AuditSigningKeys,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  /** Signs every chain that is due at `now`; returns how many. */
  async sweep(now = new Date()): Promise<number> {
    const due = await this.dataSource.query<{ organisation_id: string }[]>(
      `SELECT organisation_id FROM audit_chain_heads
        WHERE sequence > checkpoint_sequence
          AND checkpoint_at <= $1::timestamptz - make_interval(mins => $2)
        ORDER BY organisation_id`,
      [now, this.config.audit.checkpointMinutes],
    );
    const signer = await this.signingKeys.current();
    let signed = 0;
    for (const { organisation_id: organisationId } of due) {
      signed += await this.dataSource.transaction(async (tx) => {
        const head = await this.auditLog.lockHead(tx, organisationId);
        if (!this.checkpointer.isDue(head, now)) {
          return 0;
        }
        await this.checkpointer.write(tx, head, signer, now);
        return 1;
      });
    }
    return signed;
  }
}
