import { type PhiDetectorSettings } from './encryption-policy';
import {
  compilePhiDetectors,
  detectPhi,
  hasDateOfBirthNearName,
  MAX_SCANNED_CHARS,
} from './phi-detectors';

const NONE: PhiDetectorSettings = {
  ssn: false,
  dateOfBirthNearName: false,
  icd10: false,
  medicalRecordNumbers: [],
  custom: [],
};

function detect(text: string, settings: Partial<PhiDetectorSettings>): string[] {
  return detectPhi(text, compilePhiDetectors({ ...NONE, ...settings }));
}

describe('detectPhi', () => {
  describe('ssn', () => {
    it.each(['SSN 123-45-6789 on file', '123-45-6789', '(078-05-1121)', 'ssn:665-01-0001.'])(
      'finds the SSN in %j',
      (text) => {
        expect(detect(text, { ssn: true })).toEqual(['ssn']);
      },
    );

    it.each([
      ['area 000', '000-12-3456'],
      ['area 666', '666-12-3456'],
      ['area 9xx', '912-34-5678'],
      ['group 00', '123-00-4567'],
      ['serial 0000', '123-45-0000'],
      ['a longer number', '1123-45-6789'],
      ['a hyphenated identifier', 'INV-123-45-6789'],
      ['a phone number', '555-123-4567'],
      ['no separators', '123456789'],
    ])('ignores %s', (_case, text) => {
      expect(detect(text, { ssn: true })).toEqual([]);
    });
  });

  describe('icd10', () => {
    it.each(['Dx E11.9 follow-up', 'asthma (J45)', 'code S72.001A.', 'I10, E78.5'])(
      'finds the code in %j',
      (text) => {
        expect(detect(text, { icd10: true })).toEqual(['icd10']);
      },
    );

    it.each([
      ['lower case', 'e11.9 and j45'],
      ['ordinary words', 'Please call me about the results'],
      ['one digit', 'print on A4 paper'],
      ['a longer identifier', 'part AB123 and A100'],
      ['a hyphenated reference', 'SKU-A10-3 and B12-4'],
      ['a path', 'see docs/A10/index'],
      ['a suffix beyond four characters', 'E11.12345'],
    ])('ignores %s', (_case, text) => {
      expect(detect(text, { icd10: true })).toEqual([]);
    });
  });

  describe('date of birth near a name', () => {
    it.each([
      'DOB: 01/02/1980',
      'dob 1980-02-01',
      'D.O.B. 1.2.80',
      'Date of birth is 3 March 1980',
      'birthdate: March 3, 1980',
      'Jane Doe, born 1980-02-01, was seen today',
      'was born on 01/02/1980 according to Doe, Jane',
      "Patient Mary O'Brien (born 12 Jan 1975)",
    ])('finds %j', (text) => {
      expect(detect(text, { dateOfBirthNearName: true })).toEqual(['date-of-birth-near-name']);
    });

    it.each([
      ['a DOB keyword without a date', 'please send the DOB when you can'],
      ['born with a date but no name', 'the clinic was born 2001-05-03 in a garage'],
      ['a name with a date but no keyword', 'Appointment for Jane Doe on 01/02/2024'],
      [
        'a name too far from born and the date',
        `Jane Doe ${'wrote a long note about the visit. '.repeat(2)}born 1980-02-01`,
      ],
      ['a date that is part of a longer number', 'DOB 101/02/19801'],
    ])('ignores %s', (_case, text) => {
      expect(detect(text, { dateOfBirthNearName: true })).toEqual([]);
    });
  });

  it('names matching record number and custom patterns by their index', () => {
    const settings = {
      medicalRecordNumbers: [String.raw`\bMRN[:\s]*\d{6}\b`, String.raw`\bPT-\d{8}\b`],
      custom: [String.raw`\bHIV\b`, String.raw`\bchemo`],
    };

    expect(detect('mrn 123456; status: HIV positive', settings)).toEqual([
      'medical-record-number[0]',
      'custom[0]',
    ]);
  });

  it('returns the names of all matching detectors, never the matched text', () => {
    const text = 'Jane Doe, DOB 01/02/1980, SSN 123-45-6789, E11.9';
    const all = { ssn: true, dateOfBirthNearName: true, icd10: true };

    expect(detect(text, all)).toEqual(['ssn', 'date-of-birth-near-name', 'icd10']);
  });

  it('runs only the detectors the policy turns on', () => {
    expect(detect('SSN 123-45-6789, E11.9', { icd10: true })).toEqual(['icd10']);
  });

  it('treats a pattern that fails the policy checks as matching, so it leads to protection', () => {
    expect(detect('nothing here', { custom: ['(a+)+', 'x'] })).toEqual(['custom[0]']);
  });

  it('scans no further than the first million characters', () => {
    const padding = ' '.repeat(MAX_SCANNED_CHARS - 20);

    expect(detect(`${padding}SSN 123-45-6789`, { ssn: true })).toEqual(['ssn']);
    expect(detect(`${padding}      SSN 123-45-6789`, { ssn: true })).toEqual([]);
  });

  it('returns the same answer when one compiled set scans many texts', () => {
    const compiled = compilePhiDetectors({ ...NONE, custom: [String.raw`\bHIV\b`] });

    expect([1, 2, 3].map(() => detectPhi('HIV test', compiled))).toEqual([
      ['custom[0]'],
      ['custom[0]'],
      ['custom[0]'],
    ]);
  });
});

describe('hasDateOfBirthNearName', () => {
  it('stays fast on a long text full of near misses', () => {
    const text = 'born 1980-02-01 and '.repeat(40_000);
    const started = performance.now();

    expect(hasDateOfBirthNearName(text)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
