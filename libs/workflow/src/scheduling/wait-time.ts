import { DateTime, Duration, IANAZone } from 'luxon';
import { type WaitSpec, WEEKDAYS, type ZoneChoice } from '../definitions/workflow-definition';

/** What a wait needs to know about the contact it holds. */
export interface WaitSubject {
  timeZone: string;
  fields: Record<string, unknown>;
  /** The data the enrollment was triggered with (relative_to_trigger). */
  trigger?: Record<string, unknown>;
}

export type WaitOutcome =
  | { due: Date }
  /** A relative wait on a field the contact lacks or holds in a form that is no date. */
  | { failed: 'missing_value' | 'invalid_value'; field: string }
  /** The same for a relative_to_trigger wait: `path` into the trigger data. */
  | { failed: 'missing_value' | 'invalid_value'; path: string };

// A week holds every weekday once; a second week covers a day whose window already closed
// today or that a DST gap swallowed.
const WINDOW_SEARCH_DAYS = 15;

/**
 * When a Wait for Time step is due for `subject`, seen at `now`. Pure: the engine passes the
 * injected clock's time. A wait already over (a date in the past, an appointment too close)
 * is due at `now`, so the contact moves on rather than waiting for a time that passed.
 */
export function dueTimeOf(spec: WaitSpec, subject: WaitSubject, now: Date): WaitOutcome {
  switch (spec.kind) {
    case 'duration':
      return { due: addDuration(now, spec.duration, zoneOf(spec.timeZone, subject)) };
    case 'until':
      return { due: notBefore(DateTime.fromISO(spec.at, { setZone: true }).toJSDate(), now) };
    case 'relative_to_field':
      return relativeToField(spec, subject, now);
    case 'relative_to_trigger':
      return relativeToTrigger(spec, subject, now);
    case 'window':
      return { due: nextWindowStart(now, spec, zoneOf(spec.timeZone, subject)) };
  }
}

/**
 * Adds an ISO duration in a zone: hours and minutes are elapsed time, days and longer are
 * calendar units, so P1D across a DST change lands on the same wall-clock time.
 */
export function addDuration(from: Date, iso: string, zone = 'UTC'): Date {
  return DateTime.fromJSDate(from, { zone }).plus(Duration.fromISO(iso)).toJSDate();
}

function relativeToField(
  spec: Extract<WaitSpec, { kind: 'relative_to_field' }>,
  subject: WaitSubject,
  now: Date,
): WaitOutcome {
  const raw = subject.fields[spec.field];
  if (raw === undefined || raw === null || raw === '') {
    return { failed: 'missing_value', field: spec.field };
  }
  const anchor = fieldInstant(raw, zoneOf('contact', subject));
  if (!anchor) {
    return { failed: 'invalid_value', field: spec.field };
  }
  const duration = Duration.fromISO(spec.duration);
  const due = spec.direction === 'before' ? anchor.minus(duration) : anchor.plus(duration);
  return { due: notBefore(due.toJSDate(), now) };
}

function relativeToTrigger(
  spec: Extract<WaitSpec, { kind: 'relative_to_trigger' }>,
  subject: WaitSubject,
  now: Date,
): WaitOutcome {
  const raw = valueAt(subject.trigger ?? {}, spec.path);
  if (raw === undefined || raw === null || raw === '') {
    return { failed: 'missing_value', path: spec.path };
  }
  const anchor = fieldInstant(raw, zoneOf('contact', subject));
  if (!anchor) {
    return { failed: 'invalid_value', path: spec.path };
  }
  const duration = Duration.fromISO(spec.duration);
  const due = spec.direction === 'before' ? anchor.minus(duration) : anchor.plus(duration);
  return { due: notBefore(due.toJSDate(), now) };
}

/** `a.b.c` of nested objects; undefined when any part is missing. */
function valueAt(data: Record<string, unknown>, path: string): unknown {
  let value: unknown = data;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') {
      return undefined;
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A field value as an instant: a date-time, or a date at midnight in the contact's zone. */
function fieldInstant(raw: unknown, zone: string): DateTime | null {
  if (raw instanceof Date) {
    return DateTime.fromJSDate(raw, { zone });
  }
  if (typeof raw !== 'string') {
    return null;
  }
  const parsed = DateTime.fromISO(raw, { zone, setZone: /[zZ]|[+-]\d\d:?\d\d$/.test(raw) });
  return parsed.isValid ? parsed : null;
}

/**
 * The first instant at or after `now` inside the window: `now` itself when its wall-clock
 * time falls inside, else the start of the next allowed day's range. Ranges are wall-clock
 * times in the zone, so "Thursdays 12:00-14:00 America/Chicago" stays at noon local across
 * DST. A start in a spring-forward gap moves to the first valid time after it, and a range
 * the gap swallows entirely is skipped that day; an hour repeated at fall-back is inside the
 * window on both passes.
 */
export function nextWindowStart(
  now: Date,
  window: { days: readonly string[]; from: string; to: string },
  zone: string,
): Date {
  const local = DateTime.fromJSDate(now, { zone });
  const wallTime = local.toFormat('HH:mm');
  for (let offset = 0; offset < WINDOW_SEARCH_DAYS; offset += 1) {
    const day = local.startOf('day').plus({ days: offset });
    if (!window.days.includes(WEEKDAYS[day.weekday - 1])) {
      continue;
    }
    if (offset === 0 && wallTime >= window.from && wallTime < window.to) {
      return new Date(now.getTime());
    }
    const start = atTime(day, window.from);
    if (atTime(day, window.to) <= start || (offset === 0 && wallTime >= window.from)) {
      continue;
    }
    return start.toJSDate();
  }
  throw new Error('a window without a valid day reached the scheduler');
}

function atTime(day: DateTime, time: string): DateTime {
  const [hour, minute] = time.split(':').map(Number);
  return DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour, minute },
    { zone: day.zone },
  );
}

function zoneOf(choice: ZoneChoice | undefined, subject: WaitSubject): string {
  if (choice === undefined) {
    return 'UTC';
  }
  if (choice !== 'contact') {
    return choice;
  }
  // Contacts' zones are checked when saved; one that is no longer valid still gets a time.
  return IANAZone.isValidZone(subject.timeZone) ? subject.timeZone : 'UTC';
}

function notBefore(due: Date, now: Date): Date {
  return due.getTime() < now.getTime() ? new Date(now.getTime()) : due;
}
