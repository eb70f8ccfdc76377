// Building an Intl.DateTimeFormat costs about 0.15 ms: too much for every line of a large
// import, so answers are remembered. Every canonical zone is known from the start; other
// spellings the runtime accepts (`utc`, `US/Central`) are added up to a bound, since their
// case variants alone are unbounded.
const canonicalOf = new Map<string, string>(
  Intl.supportedValuesOf('timeZone').map((zone) => [zone, zone]),
);
const MAX_REMEMBERED = canonicalOf.size + 2000;

/**
 * The runtime's name for an IANA zone (`america/chicago` -> `America/Chicago`, `UTC`), or
 * null when it is not one. Offsets such as `+02:00` are refused: they have no daylight-saving
 * rules, so a reminder would drift by an hour twice a year.
 */
export function canonicalTimeZone(value: string): string | null {
  const known = canonicalOf.get(value);
  if (known) {
    return known;
  }
  if (value.length === 0 || value.length > 64 || /^[+-]/.test(value)) {
    return null;
  }
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  if (canonicalOf.size < MAX_REMEMBERED) {
    canonicalOf.set(value, canonical);
  }
  return canonical;
}

export function isIanaTimeZone(value: string): boolean {
  return canonicalTimeZone(value) !== null;
}
