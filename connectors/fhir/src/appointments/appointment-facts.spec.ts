import { appointmentFactsOf, appointmentIdOf, patientIdOf } from './appointment-facts';

const booked = {
  resourceType: 'Appointment',
  id: 'a-1',
  meta: { versionId: '1', lastUpdated: '2026-06-01T08:00:00Z' },
  status: 'booked',
  start: '2026-06-03T15:00:00Z',
  end: '2026-06-03T15:30:00Z',
  comment: 'Bring your glasses',
  participant: [
    { actor: { reference: 'Practitioner/dr-1' }, status: 'accepted' },
    { actor: { reference: 'https://ehr.example/fhir/Patient/p-9' }, status: 'accepted' },
    { actor: { reference: 'Patient/p-9/_history/3' }, status: 'accepted' },
  ],
};

describe('appointmentFactsOf', () => {
  it('keeps the id, status, times and the patients among the participants', () => {
    expect(appointmentFactsOf(booked)).toMatchObject({
      id: 'a-1',
      status: 'booked',
      start: '2026-06-03T15:00:00Z',
      end: '2026-06-03T15:30:00Z',
      patientIds: ['p-9'],
    });
  });

  it('keeps the fingerprint across versions that change nothing a reminder depends on', () => {
    const edited = { ...booked, meta: { versionId: '2' }, comment: 'Parking is closed' };

    expect(appointmentFactsOf(edited)?.fingerprint).toBe(appointmentFactsOf(booked)?.fingerprint);
  });

  it('changes the fingerprint on a reschedule or a cancellation', () => {
    const original = appointmentFactsOf(booked)?.fingerprint;

    expect(appointmentFactsOf({ ...booked, start: '2026-06-04T15:00:00Z' })?.fingerprint).not.toBe(
      original,
    );
    expect(appointmentFactsOf({ ...booked, status: 'cancelled' })?.fingerprint).not.toBe(original);
  });

  it('is null for other resources and for appointments without a usable id', () => {
    expect(appointmentFactsOf({ resourceType: 'Patient', id: 'p-1' })).toBeNull();
    expect(appointmentFactsOf({ ...booked, id: undefined })).toBeNull();
    expect(appointmentFactsOf({ ...booked, id: 'has spaces' })).toBeNull();
    expect(appointmentFactsOf('Appointment/a-1')).toBeNull();
  });
});

describe('references', () => {
  it('reads Patient and Appointment ids from relative, absolute and versioned references', () => {
    expect(patientIdOf('Patient/123')).toBe('123');
    expect(patientIdOf('https://ehr.example/fhir/r4/Patient/123/_history/2')).toBe('123');
    expect(patientIdOf('Practitioner/123')).toBeNull();
    expect(patientIdOf('#contained')).toBeNull();
    expect(appointmentIdOf('https://ehr.example/fhir/Appointment/a-7')).toBe('a-7');
    expect(appointmentIdOf('Encounter/a-7')).toBeNull();
  });
});
