/** The segment filter language; see README.md beside this file. */
export type SegmentFilter =
  | { all: SegmentFilter[] }
  | { any: SegmentFilter[] }
  | { not: SegmentFilter }
  | SegmentFieldCondition
  | { list: string }
  | { unsubscribed: boolean }
  | SegmentEngagementCondition;

export const SEGMENT_FIELD_OPERATORS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'exists',
  'before',
  'after',
  'within_days',
] as const;
export type SegmentFieldOperator = (typeof SEGMENT_FIELD_OPERATORS)[number];

export interface SegmentFieldCondition {
  field: string;
  op: SegmentFieldOperator;
  value?: unknown;
}

export interface SegmentEngagementCondition {
  engagement: 'opened' | 'clicked';
  workflowId?: string;
  withinDays?: number;
}

/** Nesting and size limits: a filter stays one readable statement for PostgreSQL to plan. */
export const MAX_FILTER_DEPTH = 8;
export const MAX_FILTER_CONDITIONS = 100;
export const MAX_WITHIN_DAYS = 3650;
