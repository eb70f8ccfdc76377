import { Injectable, Optional } from '@nestjs/common';
import {
  apiKeyActor,
  AuditLog,
  type AuthContext,
  ErrorCode,
  requireAuditLog,
  SealpostError,
} from '@sealpost/core';
import { DataSource } from 'typeorm';

/** How long an organisation keeps message bodies and events; null keeps them forever. */
export interface RetentionPolicy {
  /** Days after sending that a message's body and attachments are destroyed. */
  bodyDays: number | null;
  /** Days that message events (delivery, opens, clicks, portal views) are kept. */
  eventDays: number | null;
}

export const BODY_DAYS = { min: 1, max: 36500 };
// Webhook retries of an event run for about three days; a week leaves them room.
export const EVENT_DAYS = { min: 7, max: 36500 };

const KEEP_FOREVER: RetentionPolicy = { bodyDays: null, eventDays: null };

@Injectable()
export class RetentionPoliciesService {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async get(caller: AuthContext): Promise<RetentionPolicy> {
    const [row] = await this.dataSource.query<{ body_days: number; event_days: number }[]>(
      `SELECT body_days, event_days FROM retention_policies WHERE organisation_id = $1`,
      [caller.organisationId],
    );
    return row ? { bodyDays: row.body_days, eventDays: row.event_days } : KEEP_FOREVER;
  }

  async put(caller: AuthContext, policy: RetentionPolicy): Promise<RetentionPolicy> {
    checkPolicy(policy);
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO retention_policies (organisation_id, body_days, event_days)
         VALUES ($1, $2, $3)
         ON CONFLICT (organisation_id) DO UPDATE SET body_days = EXCLUDED.body_days,
           event_days = EXCLUDED.event_days, updated_at = now()`,
        [caller.organisationId, policy.bodyDays, policy.eventDays],
      );
      await audit.append(tx, {
        organisationId: caller.organisationId,
        actor: apiKeyActor(caller),
        action: 'retention.updated',
        target: { type: 'organisation', id: caller.organisationId },
        details: { bodyDays: policy.bodyDays, eventDays: policy.eventDays },
      });
    });
    return policy;
  }
}

function checkPolicy(policy: RetentionPolicy): void {
  const problems = [
    outOfRange('bodyDays', policy.bodyDays, BODY_DAYS),
    outOfRange('eventDays', policy.eventDays, EVENT_DAYS),
  ].filter((problem) => problem !== null);
  if (problems.length > 0) {
    throw new SealpostError(
      ErrorCode.ValidationFailed,
      'Retention is a whole number of days, or null to keep forever.',
      problems,
    );
  }
}

function outOfRange(path: string, days: number | null, range: { min: number; max: number }) {
  if (days === null || (Number.isInteger(days) && days >= range.min && days <= range.max)) {
    return null;
  }
  return { path, message: `a whole number from ${range.min} to ${range.max}, or null` };
}
