import {
  extractAddress,
  isValidDomainPattern,
  isValidSenderPattern,
  matchesDomainPattern,
  matchesSenderPatterns,
} from './address-pattern.util';

describe('address patterns', () => {
  it.each(['example.org', '.example.org', 'xn--bcher-kva.example', 'a-b.c-d.example'])(
    'accepts the domain pattern %s',
    (pattern) => {
      expect(isValidDomainPattern(pattern)).toBe(true);
    },
  );

  it.each(['localhost', '-a.example', 'a-.example', 'a..example', 'bücher.example', '@x.org'])(
    'refuses the domain pattern %s',
    (pattern) => {
      expect(isValidDomainPattern(pattern)).toBe(false);
    },
  );

  it('accepts addresses and @domain senders, and refuses anything else', () => {
    expect(['a.b+c@example.org', '@example.org'].map(isValidSenderPattern)).toEqual([true, true]);
    expect(['example.org', 'a b@example.org', 'a@localhost'].map(isValidSenderPattern)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('matches an exact domain only itself and a dotted one only subdomains', () => {
    expect(matchesDomainPattern('Example.ORG.', 'example.org')).toBe(true);
    expect(matchesDomainPattern('mail.example.org', 'example.org')).toBe(false);
    expect(matchesDomainPattern('mail.example.org', '.example.org')).toBe(true);
    expect(matchesDomainPattern('example.org', '.example.org')).toBe(false);
    expect(matchesDomainPattern('badexample.org', '.example.org')).toBe(false);
  });

  it('reads the address of a display-name sender and matches it case-insensitively', () => {
    expect(extractAddress('"Dr. Doe" <Jane.Doe@Clinic.Example>')).toBe('jane.doe@clinic.example');
    expect(matchesSenderPatterns('Jane <jane@clinic.example>', ['@CLINIC.example'])).toBe(true);
    expect(matchesSenderPatterns('jane@clinic.example', ['jane@clinic.example'])).toBe(true);
    expect(matchesSenderPatterns('jane@sub.clinic.example', ['@clinic.example'])).toBe(false);
    expect(matchesSenderPatterns('clinic.example', ['@clinic.example'])).toBe(false);
  });
});
