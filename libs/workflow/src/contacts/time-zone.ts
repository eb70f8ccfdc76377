/**
 * An IANA zone name the runtime knows (`Europe/Berlin`, `UTC`). Offsets such as `+02:00` are
 * refused: they have no daylight-saving rules, so a reminder would drift by an hour twice a
 * year.
 */
export function isIanaTimeZone(value: string): boolean {
  if (value.length === 0 || value.length > 64 || /^[+-]/.test(value)) {
    return false;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
