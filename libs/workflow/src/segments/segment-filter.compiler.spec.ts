import { type ContactFieldDefinition } from '../contacts/contact-field-type';
import { type SegmentFilter } from './segment-filter';
import { compileSegmentFilter, SqlParameters } from './segment-filter.compiler';

const catalog: ContactFieldDefinition[] = [
  { key: 'plan', type: 'string' },
  { key: 'visits', type: 'number' },
];

function compile(filter: SegmentFilter) {
  const params = new SqlParameters(['org', 'now']);
  const sql = compileSegmentFilter(filter, catalog, params, () => '$2');
  return { sql, values: params.values.slice(2) };
}

describe('compileSegmentFilter', () => {
  it('binds every value and key as a parameter, never as SQL text', () => {
    const hostile = "x'); DROP TABLE contacts; --";

    const { sql, values } = compile({
      all: [
        { field: 'fields.plan', op: 'eq', value: hostile },
        { field: 'name', op: 'contains', value: hostile },
      ],
    });

    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain('plan');
    expect(values).toEqual(['plan', hostile, `%${hostile}%`]);
  });

  it('escapes LIKE wildcards so contains matches them literally', () => {
    const { values } = compile({ field: 'name', op: 'contains', value: '50%_off\\' });

    expect(values).toEqual(['%50\\%\\_off\\\\%']);
  });

  it('casts a custom field by its declared type and compares a number as numeric', () => {
    const { sql, values } = compile({ field: 'fields.visits', op: 'gt', value: 3 });

    expect(sql).toBe('(((c.fields ->> $3::text)::numeric > $4::numeric) IS TRUE)');
    expect(values).toEqual(['visits', '3']);
  });

  it('compares email in lower case against the normalised column', () => {
    const { sql, values } = compile({ field: 'email', op: 'eq', value: 'Ann@Clinic.Example' });

    expect(sql).toContain('c.email_normalised =');
    expect(values).toEqual(['ann@clinic.example']);
  });

  it('joins all with AND, any with OR and wraps not', () => {
    const { sql } = compile({
      all: [
        { unsubscribed: false },
        { not: { any: [{ unsubscribed: true }, { unsubscribed: true }] } },
      ],
    });

    expect(sql).toBe(
      '(c.unsubscribed_at IS NULL AND (NOT (c.unsubscribed_at IS NOT NULL OR ' +
        'c.unsubscribed_at IS NOT NULL)))',
    );
  });

  it('scopes engagement to the contact, the workflow and the window, relative to now', () => {
    const workflowId = '0b7d3c8e-1f2a-4b5c-8d9e-0a1b2c3d4e5f';

    const { sql, values } = compile({ engagement: 'clicked', workflowId, withinDays: 7 });

    expect(sql).toContain("m.metadata ->> 'contactId' = c.id::text");
    expect(sql).toContain('e.organisation_id = c.organisation_id');
    expect(sql).toContain('$2::timestamptz - make_interval');
    expect(values).toEqual(['clicked', workflowId, 7]);
  });
});
