import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { AuditLog, Clock, requireAuditLog, safeErrorFields } from '@sealpost/core';
import { DataSource, type EntityManager } from 'typeorm';
import { PENDING_STATUSES } from '../messages/message-status';

const DAY_MS = 86_400_000;
// Often enough that nothing outlives its policy by more than a quarter of an hour.
const PURGE_EVERY_MS = 15 * 60_000;
// Rows per transaction: short ones that never hold many locks on a busy table.
const BATCH = 1000;
// One worker purges at a time; the others skip the round (pg_try_advisory_xact_lock).
const PURGE_LOCK = 0x5e_a1_9057;

export interface PurgeResult {
  organisationId: string;
  bodiesDestroyed: number;
  eventsDeleted: number;
}

interface PolicyRow {
  organisation_id: string;
  body_days: number | null;
  event_days: number | null;
}

/**
 * Carries out each organisation's retention policy: message bodies (text, HTML, attachments)
 * older than `body_days` are destroyed once every copy is settled, and events older than
 * `event_days` deleted once the audit chain holds them. Messages, recipients and the audit
 * chain stay. Each round that removed something is itself an audit record.
 */
@Injectable()
export class RetentionPurgeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionPurgeService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purgeSafely(), PURGE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async purge(): Promise<PurgeResult[]> {
    const policies = await this.dataSource.query<PolicyRow[]>(
      `SELECT organisation_id, body_days, event_days FROM retention_policies
        WHERE body_days IS NOT NULL OR event_days IS NOT NULL ORDER BY organisation_id`,
    );
    const results: PurgeResult[] = [];
    for (const policy of policies) {
      const result = await this.purgeOrganisation(policy);
      if (result) {
        results.push(result);
      }
    }
    return results;
  }

  private async purgeSafely(): Promise<void> {
    try {
      const results = await this.purge();
      for (const result of results) {
        this.logger.log({ ...result }, 'retention purge');
      }
    } catch (error) {
      this.logger.warn({ err: safeErrorFields(error) }, 'retention purge failed');
    }
  }

  /** Batch after batch until nothing is due; each batch is one short transaction. */
  private async purgeOrganisation(policy: PolicyRow): Promise<PurgeResult | null> {
    const total = { organisationId: policy.organisation_id, bodiesDestroyed: 0, eventsDeleted: 0 };
    for (;;) {
      const batch = await this.purgeBatch(policy);
      if (!batch) {
        break;
      }
      total.bodiesDestroyed += batch.bodiesDestroyed;
      total.eventsDeleted += batch.eventsDeleted;
      if (batch.bodiesDestroyed < BATCH && batch.eventsDeleted < BATCH) {
        break;
      }
    }
    return total.bodiesDestroyed + total.eventsDeleted > 0 ? total : null;
  }

  /** Up to BATCH bodies and BATCH events, with their audit record in the same transaction. */
  private async purgeBatch(policy: PolicyRow): Promise<Omit<PurgeResult, 'organisationId'> | null> {
    const audit = requireAuditLog(this.audit);
    const now = this.clock.now().getTime();
    return this.dataSource.transaction(async (tx) => {
      const [{ locked }] = await tx.query<{ locked: boolean }[]>(
        `SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked`,
        [PURGE_LOCK, policy.organisation_id],
      );
      if (!locked) {
        return null;
      }
      const bodiesDestroyed =
        policy.body_days === null
          ? 0
          : await this.destroyBodies(tx, policy, new Date(now - policy.body_days * DAY_MS));
      const eventsDeleted =
        policy.event_days === null
          ? 0
          : await this.deleteEvents(tx, policy, new Date(now - policy.event_days * DAY_MS));
      if (bodiesDestroyed === 0 && eventsDeleted === 0) {
        return null;
      }
      await audit.append(tx, {
        organisationId: policy.organisation_id,
        actor: { type: 'system', id: 'retention' },
        action: 'retention.purged',
        target: { type: 'organisation', id: policy.organisation_id },
        details: {
          bodiesDestroyed,
          eventsDeleted,
          bodyDays: policy.body_days,
          eventDays: policy.event_days,
        },
      });
      return { bodiesDestroyed, eventsDeleted };
    });
  }

  /** Bodies of messages whose every copy is delivered, bounced or failed; never one pending. */
  private async destroyBodies(tx: EntityManager, policy: PolicyRow, before: Date) {
    const [, destroyed] = await tx.query<[unknown, number]>(
      `UPDATE messages m SET content_ciphertext = NULL, content_wrapped_key = NULL,
                content_key_id = NULL, content_destroyed_at = $3
          WHERE m.id IN (
            SELECT id FROM messages c
             WHERE c.organisation_id = $1 AND c.created_at < $2
               AND c.content_destroyed_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM message_recipients r
                                WHERE r.message_id = c.id AND r.status = ANY($4))
             LIMIT $5)`,
      [policy.organisation_id, before, this.clock.now(), PENDING_STATUSES, BATCH],
    );
    return destroyed;
  }

  /** Events not yet copied into the audit chain wait for the chainer and go next round. */
  private async deleteEvents(tx: EntityManager, policy: PolicyRow, before: Date) {
    const [, deleted] = await tx.query<[unknown, number]>(
      `DELETE FROM message_events e
          WHERE e.id IN (
            SELECT id FROM message_events c
             WHERE c.organisation_id = $1 AND c.created_at < $2
               AND NOT EXISTS (SELECT 1 FROM audit_event_queue q WHERE q.event_id = c.id)
             LIMIT $3)`,
      [policy.organisation_id, before, BATCH],
    );
    return deleted;
  }
}
