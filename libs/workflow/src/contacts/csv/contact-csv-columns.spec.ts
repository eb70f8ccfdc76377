import { type ContactFieldDefinition } from '../contact-field-type';
import { readCsvHeader, readCsvRow, type CsvColumn } from './contact-csv-columns';

const catalog: ContactFieldDefinition[] = [
  { key: 'plan', type: 'string' },
  { key: 'visits', type: 'number' },
  { key: 'vip', type: 'boolean' },
  { key: 'birthday', type: 'date' },
  { key: 'appointment_at', type: 'datetime' },
];

function columns(...headers: string[]): CsvColumn[] {
  const header = readCsvHeader(headers, catalog);
  if (!header.ok) {
    throw new Error(JSON.stringify(header.problems));
  }
  return header.columns;
}

describe('readCsvHeader', () => {
  it('maps standard spellings and declared custom fields', () => {
    expect(
      columns('Email', 'Name', 'time_zone', 'EHR Patient Ref', 'Unsubscribed', 'visits'),
    ).toEqual([
      { header: 'Email', attribute: 'email' },
      { header: 'Name', attribute: 'name' },
      { header: 'time_zone', attribute: 'timeZone' },
      { header: 'EHR Patient Ref', attribute: 'ehrPatientRef' },
      { header: 'Unsubscribed', attribute: 'unsubscribed' },
      { header: 'visits', field: { key: 'visits', type: 'number' } },
    ]);
  });

  it('refuses unknown and repeated columns and a missing email column, all at once', () => {
    const header = readCsvHeader(['name', 'shoe_size', 'Name'], catalog);

    expect(header).toEqual({
      ok: false,
      problems: [
        {
          path: 'columns[1]',
          message: '"shoe_size" is neither a contact attribute nor a declared contact field',
        },
        { path: 'columns[2]', message: '"Name" repeats an earlier column' },
        { path: 'columns', message: 'an email column is required' },
      ],
    });
  });

  it('refuses a data line in place of the header without echoing any of its cells', () => {
    const header = readCsvHeader(['jane.doe@clinic.example', 'Jane Doe', '1970-01-01'], catalog);

    expect(header).toEqual({
      ok: false,
      problems: [{ path: 'columns', message: 'the first line must be a header, not a contact' }],
    });
  });
});

describe('readCsvRow', () => {
  const all = columns(
    'email',
    'name',
    'time_zone',
    'unsubscribed',
    'plan',
    'visits',
    'vip',
    'birthday',
    'appointment_at',
  );

  it('reads typed values from text and leaves empty cells unset', () => {
    const row = readCsvRow(
      [
        'Ann@Clinic.Example',
        'Ann',
        'Europe/Berlin',
        'yes',
        '',
        '3',
        'no',
        '1980-02-29',
        '2026-03-01T09:30:00+01:00',
      ],
      all,
      catalog,
    );

    expect(row).toEqual({
      ok: true,
      change: {
        email: 'Ann@clinic.example',
        emailNormalised: 'ann@clinic.example',
        name: 'Ann',
        timeZone: 'Europe/Berlin',
        unsubscribed: true,
        fields: {
          visits: 3,
          vip: false,
          birthday: '1980-02-29',
          appointment_at: '2026-03-01T09:30:00+01:00',
        },
      },
    });
  });

  it.each([
    [['', 'Ann', '', '', '', '', '', '', ''], 'email: is required'],
    [['not-an-address', '', '', '', '', '', '', '', ''], 'email: must be a valid email address'],
    [['a@b.example', '', 'Mars/Olympus', '', '', '', '', '', ''], 'time_zone: must be an IANA'],
    [['a@b.example', '', '', 'maybe', '', '', '', '', ''], 'unsubscribed: must be true, false'],
    [['a@b.example', '', '', '', '', 'three', '', '', ''], 'visits: must be a number'],
    [['a@b.example', '', '', '', '', '', 'sometimes', '', ''], 'vip: must be true, false'],
    [['a@b.example', '', '', '', '', '', '', '1980-02-30', ''], 'birthday: must be a date'],
    [
      ['a@b.example', '', '', '', '', '', '', '', '2026-03-01 09:30'],
      'appointment_at: must be an ISO',
    ],
    [
      ['a@b.example', 'x'.repeat(201), '', '', '', '', '', '', ''],
      'name: must be a string of at most',
    ],
    [['a@b.example', 'Ann'], 'has 2 values where the header has 9 columns'],
  ])('rejects %j with a reason naming the column (%s)', (cells, reason) => {
    const row = readCsvRow(cells, all, catalog);

    expect(row.ok).toBe(false);
    expect(!row.ok && row.reasons.join('; ')).toContain(reason);
  });

  it('gives every reason of a row at once and quotes no value', () => {
    const row = readCsvRow(
      ['jane.doe', '', 'Nowhere/Town', '', '', 'many', '', '', ''],
      all,
      catalog,
    );

    expect(!row.ok && row.reasons).toHaveLength(3);
    expect(JSON.stringify(row)).not.toMatch(/jane|Nowhere|many/);
  });
});
