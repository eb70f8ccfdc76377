import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type ContactView } from '../contacts/contact-view';
import { type Condition, type FieldOperator } from '../definitions/workflow-definition';

/** One open or click of an email this enrollment was sent. */
export interface EngagementEvent {
  type: string;
  /** The Send Email step that sent the email. */
  stepId: string;
  urlHash: string | null;
  at: Date;
}

export interface ConditionSubject {
  organisationId: string;
  enrollmentId: string;
  contact: ContactView;
  now: Date;
  /** Engagement before this instant does not count (a Wait for Event counts from its start). */
  since?: Date;
  /** The enrollment's opens and clicks, read once for its whole batch (engagementOf). */
  engagement: readonly EngagementEvent[];
}

interface EngagementRow {
  enrollment_id: string;
  step_id: string;
  type: string;
  url_hash: string | null;
  created_at: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Evaluates Branch and Wait for Event conditions for one enrollment: fields from the
 * contact, engagement from the opens and clicks its batch read up front (engagementOf).
 */
@Injectable()
export class ConditionEvaluator {
  async holds(condition: Condition, subject: ConditionSubject): Promise<boolean> {
    switch (condition.kind) {
      case 'field':
        return compareField(subject.contact.fields[condition.field], condition.op, condition.value);
      case 'opened':
      case 'clicked':
        return this.engaged(condition, subject);
      case 'all':
        for (const part of condition.conditions) {
          if (!(await this.holds(part, subject))) {
            return false;
          }
        }
        return true;
      case 'any':
        for (const part of condition.conditions) {
          if (await this.holds(part, subject)) {
            return true;
          }
        }
        return false;
    }
  }

  /**
   * The opens and clicks of every email these enrollments were sent, in one query: a batch
   * of contacts at a Branch then asks nothing more of the database.
   */
  async engagementOf(
    manager: EntityManager,
    organisationId: string,
    enrollmentIds: string[],
  ): Promise<Map<string, EngagementEvent[]>> {
    // The batch's step runs first (by their key), then each email's events by message. Left
    // to itself the planner started from the organisation's opens and looked for their step
    // runs by message, which has no index: seconds per batch.
    const rows = await manager.query<EngagementRow[]>(
      `WITH runs AS MATERIALIZED (
         SELECT enrollment_id, step_id, message_id FROM workflow_step_runs
          WHERE enrollment_id = ANY($2::uuid[]) AND organisation_id = $1
            AND message_id IS NOT NULL)
       SELECT runs.enrollment_id, runs.step_id, e.type, e.data ->> 'urlHash' AS url_hash,
              e.created_at
         FROM runs JOIN message_events e ON e.message_id = runs.message_id
        WHERE e.organisation_id = $1 AND e.type IN ('opened', 'clicked')`,
      [organisationId, enrollmentIds],
    );
    const byEnrollment = new Map<string, EngagementEvent[]>(enrollmentIds.map((id) => [id, []]));
    for (const row of rows) {
      byEnrollment.get(row.enrollment_id)?.push({
        type: row.type,
        stepId: row.step_id,
        urlHash: row.url_hash,
        at: new Date(row.created_at),
      });
    }
    return byEnrollment;
  }

  private engaged(
    condition: Extract<Condition, { kind: 'opened' | 'clicked' }>,
    subject: ConditionSubject,
  ): Promise<boolean> {
    const windowStart = condition.withinDays
      ? new Date(subject.now.getTime() - condition.withinDays * DAY_MS)
      : null;
    const since = latest(windowStart, subject.since ?? null);
    const hash = condition.url ? urlHash(condition.url) : null;
    return Promise.resolve(
      subject.engagement.some(
        (event) =>
          event.type === condition.kind &&
          (!condition.stepId || event.stepId === condition.stepId) &&
          (!hash || event.urlHash === hash) &&
          (!since || event.at >= since),
      ),
    );
  }
}

/** Tracking stores a click's link only as its SHA-256 (links may carry PHI): match on that. */
function urlHash(url: string): string {
  return createHash('sha256').update(url, 'utf8').digest('hex');
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) {
    return a ?? b;
  }
  return a > b ? a : b;
}

/** Numbers as numbers, ISO dates as instants, other strings by code point. */
export function compareField(
  actual: unknown,
  op: FieldOperator,
  expected: string | number | boolean | undefined,
): boolean {
  const present = actual !== undefined && actual !== null && actual !== '';
  switch (op) {
    case 'exists':
      return present;
    case 'not_exists':
      return !present;
    case 'eq':
      return present && actual === expected;
    case 'neq':
      return actual !== expected;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const order = present ? ordering(actual, expected) : null;
      if (order === null) {
        return false;
      }
      return op === 'gt'
        ? order > 0
        : op === 'gte'
          ? order >= 0
          : op === 'lt'
            ? order < 0
            : order <= 0;
    }
  }
}

function ordering(actual: unknown, expected: unknown): number | null {
  if (typeof actual === 'number' && typeof expected === 'number') {
    return actual - expected;
  }
  if (typeof actual === 'string' && typeof expected === 'string') {
    const [a, b] = [Date.parse(actual), Date.parse(expected)];
    if (!Number.isNaN(a) && !Number.isNaN(b)) {
      return a - b;
    }
    return actual < expected ? -1 : actual > expected ? 1 : 0;
  }
  return null;
}
