// Building an Intl.DateTimeFormat costs about 0.15 ms: too much for every line of a large
// import. Names the runtime accepted are remembered; the set is bounded by the zones the
// runtime knows (a few hundred), since only accepted names enter it.
const knownZones = new Set<string>(Intl.supportedValuesOf('timeZone'));

/**
 * An IANA zone name the runtime knows (`Europe/Berlin`, `UTC`). Offsets such as `+02:00` are
 * refused: they have no daylight-saving rules, so a reminder would drift by an hour twice a
 * year.
 */
export function isIanaTimeZone(value: string): boolean {
  if (knownZones.has(value)) {
    return true;
  }
  if (value.length === 0 || value.length > 64 || /^[+-]/.test(value)) {
    return false;
  }
  try {
    // Accepts links and aliases (`UTC`, `US/Central`) that supportedValuesOf leaves out.
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    return false;
  }
  knownZones.add(value);
  return true;
}
