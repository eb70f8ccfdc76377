import { parseMailbox } from './mailbox';

/** A valid domain name of exactly `length` characters: labels of at most 63, then `.test`. */
function domainOfLength(length: number): string {
  const labels: string[] = [];
  let used = 'test'.length;
  while (used < length) {
    // The 1 is the dot that joins this label to the next.
    const label = Math.min(63, length - used - 1);
    labels.push('a'.repeat(label));
    used += label + 1;
  }
  return [...labels, 'test'].join('.');
}

describe('parseMailbox', () => {
  it('reads a plain address', () => {
    expect(parseMailbox('jane.doe@clinic.test')).toEqual({
      name: '',
      address: 'jane.doe@clinic.test',
      domain: 'clinic.test',
    });
  });

  it('reads "Name <address>"', () => {
    expect(parseMailbox('Jane Doe <jane.doe@clinic.test>')).toEqual({
      name: 'Jane Doe',
      address: 'jane.doe@clinic.test',
      domain: 'clinic.test',
    });
  });

  it('reads a quoted name that contains a comma', () => {
    expect(parseMailbox('"Doe, Jane" <jane.doe@clinic.test>')).toMatchObject({
      name: 'Doe, Jane',
      address: 'jane.doe@clinic.test',
    });
  });

  it('lower-cases the domain and keeps the case of the local part', () => {
    expect(parseMailbox('Jane.Doe@Clinic.EXAMPLE.Test')).toEqual({
      name: '',
      address: 'Jane.Doe@clinic.example.test',
      domain: 'clinic.example.test',
    });
  });

  it('accepts a domain of 253 characters, the most DNS allows', () => {
    const domain = domainOfLength(253);

    expect(domain).toHaveLength(253);
    expect(parseMailbox(`jane@${domain}`)).toMatchObject({ domain });
  });

  it('ignores white space around the input', () => {
    expect(parseMailbox('  jane@clinic.test\t')).toMatchObject({ address: 'jane@clinic.test' });
  });

  it('accepts the special characters a dot-atom local part allows', () => {
    expect(parseMailbox("o'brien+lab_results@clinic.test")).toMatchObject({
      address: "o'brien+lab_results@clinic.test",
    });
  });

  it.each([
    ['a carriage return', 'jane@clinic.test\r'],
    ['a line feed inside the name', 'Jane\nBcc: eve@evil.test <jane@clinic.test>'],
    ['a CRLF header injection', 'jane@clinic.test\r\nBcc: eve@evil.test'],
  ])('refuses an input with %s', (_case, input) => {
    expect(parseMailbox(input)).toBeNull();
  });

  it.each([
    ['two addresses separated by a comma', 'jane@clinic.test, eve@evil.test'],
    ['two addresses separated by a semicolon', 'jane@clinic.test; eve@evil.test'],
    ['a group', 'Team: jane@clinic.test, john@clinic.test;'],
  ])('refuses %s', (_case, input) => {
    expect(parseMailbox(input)).toBeNull();
  });

  it.each([
    ['an empty string', ''],
    ['a name only', 'garbage'],
    ['empty angle brackets', '<>'],
    ['a missing local part', '@clinic.test'],
    ['a missing domain', 'jane@'],
    ['a domain without a dot', 'jane@localhost'],
    ['a one-letter top-level domain', 'jane@clinic.t'],
    ['a domain label starting with a hyphen', 'jane@-clinic.test'],
    ['two @ signs', 'jane@doe@clinic.test'],
    ['an IP literal', 'jane@[127.0.0.1]'],
    ['a quoted local part', '"jane doe"@clinic.test'],
    ['a non-ASCII domain', 'jane@klinik-ä.test'],
    ['a local part over 64 characters', `${'a'.repeat(65)}@clinic.test`],
    ['a domain over 253 characters', `jane@${domainOfLength(254)}`],
  ])('refuses %s', (_case, input) => {
    expect(parseMailbox(input)).toBeNull();
  });
});
