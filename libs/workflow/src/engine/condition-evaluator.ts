import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type ContactView } from '../contacts/contact-view';
import { type Condition, type FieldOperator } from '../definitions/workflow-definition';

export interface ConditionSubject {
  organisationId: string;
  enrollmentId: string;
  contact: ContactView;
  now: Date;
  /** Engagement before this instant does not count (a Wait for Event counts from its start). */
  since?: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Evaluates Branch and Wait for Event conditions for one enrollment: fields from the
 * contact, engagement from message_events of the emails this enrollment was sent (found
 * through the step runs that sent them).
 */
@Injectable()
export class ConditionEvaluator {
  constructor(private readonly dataSource: DataSource) {}

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

  private async engaged(
    condition: Extract<Condition, { kind: 'opened' | 'clicked' }>,
    subject: ConditionSubject,
  ): Promise<boolean> {
    const windowStart = condition.withinDays
      ? new Date(subject.now.getTime() - condition.withinDays * DAY_MS)
      : null;
    const since = latest(windowStart, subject.since ?? null);
    // Through the step runs, which name each email this enrollment was sent: an index lookup
    // by enrollment, where matching on message metadata would scan the organisation's mail.
    const rows = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM workflow_step_runs r
         JOIN message_events e ON e.message_id = r.message_id
        WHERE r.enrollment_id = $2 AND r.organisation_id = $1 AND r.message_id IS NOT NULL
          AND e.organisation_id = $1 AND e.type = $3
          AND ($4::text IS NULL OR r.step_id = $4)
          AND ($5::text IS NULL OR e.data ->> 'urlHash' = $5)
          AND ($6::timestamptz IS NULL OR e.created_at >= $6)
        LIMIT 1`,
      [
        subject.organisationId,
        subject.enrollmentId,
        condition.kind,
        condition.stepId ?? null,
        condition.url ? urlHash(condition.url) : null,
        since,
      ],
    );
    return rows.length > 0;
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
