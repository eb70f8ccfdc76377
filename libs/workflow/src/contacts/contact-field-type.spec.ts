import { fieldValueFromText, fieldValueProblem } from './contact-field-type';
import { canonicalTimeZone, isIanaTimeZone } from './time-zone';

describe('fieldValueProblem', () => {
  it.each([
    ['string', 'gold'],
    ['number', 0],
    ['number', -2.5],
    ['boolean', false],
    ['date', '2024-02-29'],
    ['datetime', '2026-03-29T01:30:00Z'],
    ['datetime', '2026-03-29T03:30:00.123+02:00'],
  ] as const)('accepts a %s %p', (type, value) => {
    expect(fieldValueProblem(type, value)).toBeNull();
  });

  it.each([
    ['string', 3],
    ['string', 'x'.repeat(2001)],
    ['number', '3'],
    ['number', Number.NaN],
    ['boolean', 'true'],
    ['date', '2023-02-29'],
    ['date', '2026-3-1'],
    ['datetime', '2026-03-29T01:30:00'],
    ['datetime', '2026-02-30T01:30:00Z'],
    ['datetime', '2026-03-29T24:00:00Z'],
  ] as const)('refuses a %s %p', (type, value) => {
    expect(fieldValueProblem(type, value)).toEqual(expect.any(String));
  });
});

describe('fieldValueFromText', () => {
  it('reads numbers and boolean words', () => {
    expect(fieldValueFromText('number', '-12.5')).toEqual({ value: -12.5 });
    expect(fieldValueFromText('boolean', 'Yes')).toEqual({ value: true });
    expect(fieldValueFromText('boolean', '0')).toEqual({ value: false });
  });

  it('refuses a number with trailing text that Number() would half-read', () => {
    expect(fieldValueFromText('number', '12abc')).toEqual({ problem: 'must be a number' });
    expect(fieldValueFromText('number', '0x10')).toEqual({ problem: 'must be a number' });
  });
});

describe('isIanaTimeZone', () => {
  it.each(['UTC', 'America/Chicago', 'Europe/Berlin'])('accepts %s', (zone) => {
    expect(isIanaTimeZone(zone)).toBe(true);
  });

  it.each(['', 'Mars/Olympus', '+02:00', 'America/Chicago '])('refuses %p', (zone) => {
    expect(isIanaTimeZone(zone)).toBe(false);
  });
});

describe('canonicalTimeZone', () => {
  it('gives the runtime spelling of a zone written in another case', () => {
    expect(canonicalTimeZone('america/chicago')).toBe('America/Chicago');
    expect(canonicalTimeZone('utc')).toBe('UTC');
  });
});
