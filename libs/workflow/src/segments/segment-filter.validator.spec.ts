import { type ContactFieldDefinition } from '../contacts/contact-field-type';
import { listIdsOf, validateSegmentFilter } from './segment-filter.validator';

const catalog: ContactFieldDefinition[] = [
  { key: 'plan', type: 'string' },
  { key: 'visits', type: 'number' },
  { key: 'vip', type: 'boolean' },
  { key: 'birthday', type: 'date' },
  { key: 'appointment_at', type: 'datetime' },
];
const LIST_ID = '6f1c1a52-8a5e-4a8e-9a43-2f64d1d6a0b1';
const WORKFLOW_ID = '0b7d3c8e-1f2a-4b5c-8d9e-0a1b2c3d4e5f';

function problemsOf(filter: unknown) {
  const result = validateSegmentFilter(filter, catalog);
  return result.ok ? [] : result.problems;
}

describe('validateSegmentFilter', () => {
  it('accepts every kind of condition, nested', () => {
    const filter = {
      all: [
        { field: 'fields.plan', op: 'eq', value: 'gold' },
        { field: 'email', op: 'contains', value: '@clinic.example' },
        { field: 'fields.visits', op: 'gte', value: 3 },
        { field: 'fields.vip', op: 'exists' },
        { field: 'fields.birthday', op: 'before', value: '2000-01-01' },
        { field: 'fields.appointment_at', op: 'within_days', value: 2 },
        { field: 'createdAt', op: 'after', value: '2026-01-01T00:00:00Z' },
        { any: [{ list: LIST_ID }, { unsubscribed: false }] },
        { not: { engagement: 'clicked', workflowId: WORKFLOW_ID, withinDays: 7 } },
        { engagement: 'opened' },
      ],
    };

    expect(validateSegmentFilter(filter, catalog)).toEqual({ ok: true, filter });
  });

  it('lists every problem with its path, not only the first', () => {
    const problems = problemsOf({
      all: [
        { field: 'fields.unknown', op: 'eq', value: 1 },
        { field: 'fields.visits', op: 'contains', value: 'x' },
        { field: 'fields.visits', op: 'gt', value: 'three' },
        { field: 'fields.birthday', op: 'after', value: '2026-02-30' },
        { field: 'fields.appointment_at', op: 'within_days', value: 0 },
        { field: 'name', op: 'like', value: 'x' },
        { list: 'not-an-id' },
        { unsubscribed: 'yes' },
        { engagement: 'replied', withinDays: 0, workflowId: 'w' },
        { any: [] },
        { all: [], field: 'name' },
        'text',
      ],
    });

    expect(problems.map((problem) => problem.path)).toEqual([
      'filter.all[0].field',
      'filter.all[1].op',
      'filter.all[2].value',
      'filter.all[3].value',
      'filter.all[4].value',
      'filter.all[5].op',
      'filter.all[6].list',
      'filter.all[7].unsubscribed',
      'filter.all[8].engagement',
      'filter.all[8].workflowId',
      'filter.all[8].withinDays',
      'filter.all[9].any',
      'filter.all[10]',
      'filter.all[11]',
    ]);
  });

  it('refuses keys that do not belong to the condition', () => {
    expect(problemsOf({ list: LIST_ID, op: 'eq' })).toEqual([
      { path: 'filter.op', message: 'is not allowed in a list condition' },
    ]);
  });

  it('refuses a filter nested deeper than eight levels', () => {
    let filter: unknown = { unsubscribed: true };
    for (let i = 0; i < 8; i += 1) {
      filter = { not: filter };
    }

    expect(problemsOf(filter)).toEqual([
      expect.objectContaining({ message: 'nests deeper than 8 levels' }),
    ]);
  });

  it('refuses more than 100 conditions', () => {
    const filter = { any: Array.from({ length: 100 }, () => ({ unsubscribed: true })) };

    expect(problemsOf(filter)).toEqual([
      { path: 'filter', message: 'has more than 100 conditions' },
    ]);
  });

  it('never quotes a value in a problem', () => {
    const problems = problemsOf({ field: 'fields.visits', op: 'eq', value: 'jane@x.example' });

    expect(JSON.stringify(problems)).not.toContain('jane');
  });

  it('finds the list ids a filter names at any depth', () => {
    const other = '1c9b7e55-2a44-4c1d-9f0e-5b6a7c8d9e0f';
    const result = validateSegmentFilter(
      { any: [{ list: LIST_ID }, { not: { all: [{ list: other }] } }] },
      catalog,
    );

    expect(result.ok && listIdsOf(result.filter)).toEqual([LIST_ID, other]);
  });
});
