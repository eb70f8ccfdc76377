import { compareField } from './condition-evaluator';

describe('compareField', () => {
  it('tells present from absent, counting an empty string as absent', () => {
    expect(compareField('x', 'exists', undefined)).toBe(true);
    expect(compareField('', 'exists', undefined)).toBe(false);
    expect(compareField(null, 'not_exists', undefined)).toBe(true);
  });

  it('compares numbers as numbers and strings by code point', () => {
    expect(compareField(70, 'gte', 65)).toBe(true);
    expect(compareField(9, 'gt', 10)).toBe(false);
    expect(compareField('b', 'gt', 'a')).toBe(true);
  });

  it('compares ISO dates as instants, whatever their offsets', () => {
    expect(compareField('2026-03-08T03:00:00-05:00', 'lt', '2026-03-08T09:00:00Z')).toBe(true);
    expect(compareField('2026-03-08T09:00:00+01:00', 'lte', '2026-03-08T08:00:00Z')).toBe(true);
  });

  it('never orders values of different types, and eq is strict', () => {
    expect(compareField('70', 'gt', 65)).toBe(false);
    expect(compareField('65', 'eq', 65)).toBe(false);
    expect(compareField(true, 'eq', true)).toBe(true);
    expect(compareField(undefined, 'neq', 'x')).toBe(true);
  });
});
