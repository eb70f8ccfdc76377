import { scanSubjectTags } from './subject-tag.util';

describe('scanSubjectTags', () => {
  it('finds a tag in any case and removes every occurrence', () => {
    const scan = scanSubjectTags('RE: [SECURE] Lab results [secure]', ['[secure]']);

    expect([...scan.found]).toEqual(['[secure]']);
    expect(scan.subject).toBe('RE: Lab results');
  });

  it('removes the tags of both lists and reports each one found', () => {
    const scan = scanSubjectTags('[public] Newsletter [secure]', ['[secure]', '[public]', null]);

    expect([...scan.found]).toEqual(['[secure]', '[public]']);
    expect(scan.subject).toBe('Newsletter');
  });

  it('does not match a word tag inside a longer word', () => {
    const scan = scanSubjectTags('Insecure Wi-Fi, securely', ['secure']);

    expect(scan.found.size).toBe(0);
    expect(scan.subject).toBe('Insecure Wi-Fi, securely');
  });

  it('treats tag characters that are special in patterns literally', () => {
    expect(scanSubjectTags('Results (x) [s.*]', ['[s.*]']).subject).toBe('Results (x)');
    expect(scanSubjectTags('Results [sxx]', ['[s.*]']).found.size).toBe(0);
  });

  it('leaves a subject without tags exactly as it was', () => {
    expect(scanSubjectTags('  Two  spaces ', ['[secure]']).subject).toBe('  Two  spaces ');
  });
});
