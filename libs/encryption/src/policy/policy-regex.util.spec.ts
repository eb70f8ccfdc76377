import { checkPolicyRegex, hasNestedQuantifier } from './policy-regex.util';

describe('hasNestedQuantifier', () => {
  it.each([
    '(a+)+',
    String.raw`(\d*)*`,
    '(?:a|b+){2,}',
    '((ab)*c)+',
    '(x{1,3})*',
    String.raw`([a-z]+\s?)+`,
    String.raw`(\p{L}+)+`,
    String.raw`(?<id>\d+-?)+$`,
  ])('finds the repeated group with an inner repetition in %s', (source) => {
    expect(hasNestedQuantifier(source)).toBe(true);
  });

  it.each([
    String.raw`(\d{3}-){2}\d{4}`,
    String.raw`MRN[:\s]*\d{6,10}`,
    '(ab)+',
    '[(+)]+',
    String.raw`\(a+\)+`,
    String.raw`(\p{L})+`,
    '(a+)?',
    '(a+){1}',
  ])('accepts %s, which repeats no repetition', (source) => {
    expect(hasNestedQuantifier(source)).toBe(false);
  });
});

describe('checkPolicyRegex', () => {
  it('compiles a sound pattern case-insensitively', () => {
    const check = checkPolicyRegex(String.raw`MRN[:\s]*\d{6}`);

    expect(check.ok && check.regex.test('mrn: 123456')).toBe(true);
  });

  it('reports a pattern that does not compile', () => {
    expect(checkPolicyRegex('(unclosed')).toEqual({ ok: false, problem: 'syntax' });
  });

  it('reports a pattern with a nested quantifier', () => {
    expect(checkPolicyRegex('(a+)+b')).toEqual({ ok: false, problem: 'nested-quantifier' });
  });

  it('reports a pattern that matches the empty text', () => {
    expect(checkPolicyRegex(String.raw`\d*`)).toEqual({ ok: false, problem: 'matches-empty' });
  });
});
