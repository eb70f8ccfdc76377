import { DateTime, IANAZone } from 'luxon';

/**
 * A template value as an instant or a calendar date, read in `zone`: an ISO 8601 string
 * (with an offset it is an instant; a bare date or local time is taken in the zone), epoch
 * milliseconds, or a Date. Invalid when it is none of these or the zone is unknown.
 */
export function dateTimeOf(value: unknown, zone: string): DateTime {
  if (typeof value === 'string') {
    return DateTime.fromISO(value, { zone });
  }
  if (typeof value === 'number') {
    return DateTime.fromMillis(value, { zone });
  }
  if (value instanceof Date) {
    return DateTime.fromJSDate(value, { zone });
  }
  return DateTime.invalid('not a date');
}

/** Luxon keeps one IANAZone per name, so this is a map lookup after the first call. */
export function isKnownZone(zone: string): boolean {
  return IANAZone.create(zone).isValid;
}

/** `format` is a Luxon format (`EEEE d MMMM yyyy, HH:mm`), read in English. */
export function formatDateIn(value: unknown, format: string, zone: string): string {
  return dateTimeOf(value, zone).setLocale('en-GB').toFormat(format);
}
