import { type WaitSpec } from '../definitions/workflow-definition';
import { addDuration, dueTimeOf, nextWindowStart, type WaitSubject } from './wait-time';

const utc = (iso: string): Date => new Date(iso);
const inChicago: WaitSubject = { timeZone: 'America/Chicago', fields: {} };
const inBerlin: WaitSubject = { timeZone: 'Europe/Berlin', fields: {} };

function dueOf(spec: WaitSpec, subject: WaitSubject, now: Date): string {
  const outcome = dueTimeOf(spec, subject, now);
  if (!('due' in outcome)) {
    throw new Error(`wait failed: ${outcome.failed}`);
  }
  return outcome.due.toISOString();
}

const thursdayNoon = { days: ['thu'], from: '12:00', to: '14:00' };

describe('nextWindowStart (weekday and time range in a zone)', () => {
  it('opens Thursday 12:00 CST (18:00Z) before the 2026 spring-forward in Chicago', () => {
    const wednesday = utc('2026-03-04T15:00:00Z');

    expect(nextWindowStart(wednesday, thursdayNoon, 'America/Chicago').toISOString()).toBe(
      '2026-03-05T18:00:00.000Z',
    );
  });

  it('opens Thursday 12:00 CDT (17:00Z) in the week after the spring-forward', () => {
    const sundayBeforeTheChange = utc('2026-03-08T07:30:00Z'); // 01:30 CST

    expect(
      nextWindowStart(sundayBeforeTheChange, thursdayNoon, 'America/Chicago').toISOString(),
    ).toBe('2026-03-12T17:00:00.000Z');
  });

  it('stays at 12:00 local across the 2026 fall-back in Chicago (17:00Z, then 18:00Z)', () => {
    expect(
      nextWindowStart(utc('2026-10-26T12:00:00Z'), thursdayNoon, 'America/Chicago').toISOString(),
    ).toBe('2026-10-29T17:00:00.000Z');
    expect(
      nextWindowStart(utc('2026-11-02T12:00:00Z'), thursdayNoon, 'America/Chicago').toISOString(),
    ).toBe('2026-11-05T18:00:00.000Z');
  });

  it('moves a start in the spring-forward gap to the first valid time (Chicago 2026)', () => {
    const window = { days: ['sun'], from: '02:30', to: '04:00' };
    const saturday = utc('2026-03-07T12:00:00Z');

    // 02:30 does not exist on 8 March; 03:30 CDT is 08:30Z.
    expect(nextWindowStart(saturday, window, 'America/Chicago').toISOString()).toBe(
      '2026-03-08T08:30:00.000Z',
    );
  });

  it('skips a day whose whole range the spring-forward gap swallows (Berlin 2027)', () => {
    const window = { days: ['sun'], from: '02:00', to: '03:00' };
    const saturday = utc('2027-03-27T12:00:00Z');

    // No 02:00-03:00 on 28 March 2027 in Berlin; the next Sunday's is in CEST (+2).
    expect(nextWindowStart(saturday, window, 'Europe/Berlin').toISOString()).toBe(
      '2027-04-04T00:00:00.000Z',
    );
  });

  it('counts both passes of the repeated hour at the 2026 fall-back in Berlin as inside', () => {
    const window = { days: ['sun'], from: '02:00', to: '02:45' };
    const firstPass = utc('2026-10-25T00:15:00Z'); // 02:15 CEST
    const secondPass = utc('2026-10-25T01:15:00Z'); // 02:15 CET

    expect(nextWindowStart(firstPass, window, 'Europe/Berlin')).toEqual(firstPass);
    expect(nextWindowStart(secondPass, window, 'Europe/Berlin')).toEqual(secondPass);
  });

  it('is now when now is inside the window, and next week once it closed today', () => {
    const insideThursday = utc('2027-03-11T18:30:00Z'); // 12:30 CST
    const afterThursday = utc('2027-03-11T20:30:00Z'); // 14:30 CST

    expect(nextWindowStart(insideThursday, thursdayNoon, 'America/Chicago')).toEqual(
      insideThursday,
    );
    // 18 March 2027 is after the 14 March spring-forward: 12:00 CDT.
    expect(nextWindowStart(afterThursday, thursdayNoon, 'America/Chicago').toISOString()).toBe(
      '2027-03-18T17:00:00.000Z',
    );
  });
});

describe('dueTimeOf', () => {
  it('adds hours as elapsed time, days as calendar days across the Berlin spring-forward', () => {
    const saturday9am = utc('2026-03-28T08:00:00Z'); // 09:00 CET
    const hours: WaitSpec = { kind: 'duration', duration: 'PT24H', timeZone: 'contact' };
    const days: WaitSpec = { kind: 'duration', duration: 'P1D', timeZone: 'contact' };

    expect(dueOf(hours, inBerlin, saturday9am)).toBe('2026-03-29T08:00:00.000Z'); // 10:00 CEST
    expect(dueOf(days, inBerlin, saturday9am)).toBe('2026-03-29T07:00:00.000Z'); // 09:00 CEST
  });

  it('keeps P1D at the same wall time across the Chicago fall-back of 2027', () => {
    const saturday9am = utc('2027-11-06T14:00:00Z'); // 09:00 CDT

    expect(
      dueOf(
        { kind: 'duration', duration: 'P1D', timeZone: 'America/Chicago' },
        inBerlin,
        saturday9am,
      ),
    ).toBe('2027-11-07T15:00:00.000Z'); // 09:00 CST
  });

  it('waits until a given date, or not at all when it has passed', () => {
    const now = utc('2026-06-01T00:00:00Z');

    expect(dueOf({ kind: 'until', at: '2026-07-01T09:00:00+02:00' }, inBerlin, now)).toBe(
      '2026-07-01T07:00:00.000Z',
    );
    expect(dueOf({ kind: 'until', at: '2026-05-01T09:00:00Z' }, inBerlin, now)).toBe(
      now.toISOString(),
    );
  });

  it('is 48 hours before a local appointment time across the Berlin fall-back of 2027', () => {
    const subject = { ...inBerlin, fields: { appointment_at: '2027-11-01T10:00:00' } };
    const now = utc('2027-10-01T00:00:00Z');
    const spec = (duration: string): WaitSpec => ({
      kind: 'relative_to_field',
      field: 'appointment_at',
      direction: 'before',
      duration,
    });

    // 10:00 CET is 09:00Z; 48 elapsed hours earlier is 11:00 CEST, two calendar days 10:00.
    expect(dueOf(spec('PT48H'), subject, now)).toBe('2027-10-30T09:00:00.000Z');
    expect(dueOf(spec('P2D'), subject, now)).toBe('2027-10-30T08:00:00.000Z');
  });

  it('reads an appointment with an offset as that instant, and waits after it too', () => {
    const subject = { ...inChicago, fields: { visit: '2026-03-09T08:00:00-05:00' } };
    const spec: WaitSpec = {
      kind: 'relative_to_field',
      field: 'visit',
      direction: 'after',
      duration: 'PT2H',
    };

    expect(dueOf(spec, subject, utc('2026-03-01T00:00:00Z'))).toBe('2026-03-09T15:00:00.000Z');
  });

  it('is due now when the time before the appointment has already passed', () => {
    const subject = { ...inChicago, fields: { appointment_at: '2026-03-09T08:00:00' } };
    const now = utc('2026-03-08T20:00:00Z');
    const spec: WaitSpec = {
      kind: 'relative_to_field',
      field: 'appointment_at',
      direction: 'before',
      duration: 'PT48H',
    };

    expect(dueOf(spec, subject, now)).toBe(now.toISOString());
  });

  it('waits relative to a trigger value, such as an EHR appointment start', () => {
    const subject = {
      ...inChicago,
      trigger: { appointment: { start: '2026-06-03T15:00:00Z' } },
    };
    const spec: WaitSpec = {
      kind: 'relative_to_trigger',
      path: 'appointment.start',
      direction: 'before',
      duration: 'PT24H',
    };

    expect(dueOf(spec, subject, utc('2026-06-01T08:00:00Z'))).toBe('2026-06-02T15:00:00.000Z');
  });

  it('fails with the trigger path when the trigger data lacks it or it is no date', () => {
    const spec: WaitSpec = {
      kind: 'relative_to_trigger',
      path: 'appointment.start',
      direction: 'before',
      duration: 'PT24H',
    };
    const now = utc('2026-06-01T08:00:00Z');

    expect(dueTimeOf(spec, { ...inChicago, trigger: { appointment: {} } }, now)).toEqual({
      failed: 'missing_value',
      path: 'appointment.start',
    });
    expect(
      dueTimeOf(spec, { ...inChicago, trigger: { appointment: { start: 'later' } } }, now),
    ).toEqual({ failed: 'invalid_value', path: 'appointment.start' });
  });

  it('fails with the field name when the contact lacks the field or it is no date', () => {
    const spec: WaitSpec = {
      kind: 'relative_to_field',
      field: 'appointment_at',
      direction: 'before',
      duration: 'PT48H',
    };
    const now = utc('2026-03-01T00:00:00Z');

    expect(dueTimeOf(spec, inChicago, now)).toEqual({
      failed: 'missing_value',
      field: 'appointment_at',
    });
    expect(dueTimeOf(spec, { ...inChicago, fields: { appointment_at: 'soon' } }, now)).toEqual({
      failed: 'invalid_value',
      field: 'appointment_at',
    });
  });

  it('uses the contact zone for a window set to "contact", UTC for an invalid one', () => {
    const spec: WaitSpec = {
      kind: 'window',
      days: ['mon'],
      from: '09:00',
      to: '10:00',
      timeZone: 'contact',
    };
    const sunday = utc('2026-06-07T12:00:00Z');

    expect(dueOf(spec, inChicago, sunday)).toBe('2026-06-08T14:00:00.000Z');
    expect(dueOf(spec, { timeZone: 'Nowhere/Else', fields: {} }, sunday)).toBe(
      '2026-06-08T09:00:00.000Z',
    );
  });

  it('addDuration defaults to UTC calendar arithmetic', () => {
    expect(addDuration(utc('2026-03-28T08:00:00Z'), 'P1D').toISOString()).toBe(
      '2026-03-29T08:00:00.000Z',
    );
  });
});
