// Letters, digits and inner hyphens; 63 octets a label and 253 a name (RFC 1035 section 2.3.4).
// Names are ASCII: an internationalised domain is written in its punycode (`xn--`) form.
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const MAX_DOMAIN_LENGTH = 253;

// A pragmatic local part: anything printable but the characters that end an address in a header.
const LOCAL_PART = /^[^\s@<>()[\]",;:\\]{1,64}$/;

/** Lower-cases and drops the trailing dot of a fully qualified name. */
export function normaliseDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '');
}

/** A domain of at least two labels; single labels would only ever name internal hosts. */
export function isValidDomain(domain: string): boolean {
  const labels = domain.toLowerCase().split('.');
  return domain.length <= MAX_DOMAIN_LENGTH && labels.length >= 2 && labels.every(isLabel);
}

/** `example.org` (that domain) or `.example.org` (its subdomains). */
export function isValidDomainPattern(pattern: string): boolean {
  return isValidDomain(pattern.startsWith('.') ? pattern.slice(1) : pattern);
}

/** `a@example.org` (that address) or `@example.org` (every address of that domain). */
export function isValidSenderPattern(pattern: string): boolean {
  const at = pattern.lastIndexOf('@');
  if (at < 0) {
    return false;
  }

  const local = pattern.slice(0, at);
  return (local === '' || LOCAL_PART.test(local)) && isValidDomain(pattern.slice(at + 1));
}

export function matchesDomainPattern(domain: string, pattern: string): boolean {
  const name = normaliseDomain(domain);
  const wanted = pattern.toLowerCase();
  return wanted.startsWith('.') ? name.endsWith(wanted) : name === wanted;
}

/** How specific a pattern is, so that an exact domain beats `.example.org`, which beats `.org`. */
export function domainPatternRank(pattern: string): number {
  return pattern.startsWith('.') ? pattern.length : Number.MAX_SAFE_INTEGER;
}

/** Reads the address out of `Name <a@example.org>` or a bare address, lower-cased. */
export function extractAddress(from: string): string {
  const bracketed = /<([^<>]*)>\s*$/.exec(from);
  return (bracketed?.[1] ?? from).trim().toLowerCase();
}

export function matchesSenderPatterns(from: string, patterns: readonly string[]): boolean {
  const address = extractAddress(from);
  const at = address.lastIndexOf('@');
  if (at < 0) {
    return false;
  }

  const domain = address.slice(at + 1);
  return patterns.some((pattern) => {
    const wanted = pattern.toLowerCase();
    return wanted.startsWith('@') ? domain === wanted.slice(1) : address === wanted;
  });
}

function isLabel(label: string): boolean {
  return LABEL.test(label);
}
