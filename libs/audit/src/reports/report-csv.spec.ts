import { parse } from 'csv-parse/sync';
import { csvCell, csvSection } from './report-csv';

describe('report CSV', () => {
  it('quotes commas, quotes and line breaks per RFC 4180', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(42)).toBe('42');
  });

  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx'])(
    'prefixes %p with a quote mark so a spreadsheet shows it as text',
    (value) => {
      expect(csvCell(value)).toMatch(/^"?'/);
    },
  );

  it('writes a section that a CSV parser reads back cell for cell', () => {
    const text = [
      ...csvSection({
        title: 'Engagement',
        columns: ['measure', 'count'],
        rows: [
          ['=cmd', 3],
          ['a "b", c', 4],
        ],
      }),
    ].join('');

    const records = parse(text, { relax_column_count: true, skip_empty_lines: true });

    expect(records).toEqual([
      ['Engagement'],
      ['measure', 'count'],
      ["'=cmd", '3'],
      ['a "b", c', '4'],
    ]);
  });
});
