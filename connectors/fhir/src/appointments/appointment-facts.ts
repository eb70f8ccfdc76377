import { createHash } from 'node:crypto';

/** What a reminder journey needs from an Appointment, and nothing else of it. */
export interface AppointmentFacts {
  id: string;
  status: string;
  /** ISO instant as the EHR wrote it; absent on proposed appointments. */
  start: string | null;
  end: string | null;
  /** Logical ids of the Patients among the participants. */
  patientIds: string[];
  /** Changes exactly when status, start or patients change (a reschedule, a cancellation). */
  fingerprint: string;
}

/** Statuses that start a reminder journey. */
export const BOOKED_STATUSES: readonly string[] = ['booked'];

/** Statuses that end one: the visit will not happen as booked. */
export const ENDED_STATUSES: readonly string[] = ['cancelled', 'noshow', 'entered-in-error'];

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The facts of an Appointment resource; null for anything that is not one with an id. */
export function appointmentFactsOf(resource: unknown): AppointmentFacts | null {
  if (!isObject(resource) || resource.resourceType !== 'Appointment') {
    return null;
  }
  const id = resource.id;
  const status = resource.status;
  if (typeof id !== 'string' || !FHIR_ID.test(id) || typeof status !== 'string') {
    return null;
  }
  const start = typeof resource.start === 'string' ? resource.start : null;
  const end = typeof resource.end === 'string' ? resource.end : null;
  const participants = Array.isArray(resource.participant) ? resource.participant : [];
  const patientIds = [
    ...new Set(
      participants
        .map((participant: unknown) =>
          isObject(participant) && isObject(participant.actor)
            ? patientIdOf(participant.actor.reference)
            : null,
        )
        .filter((patientId): patientId is string => patientId !== null),
    ),
  ].sort();
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([status, start, patientIds]))
    .digest('base64url');
  return { id, status, start, end, patientIds, fingerprint };
}

/**
 * The Patient id of a reference: `Patient/123`, an absolute `https://ehr/fhir/Patient/123`,
 * either with `/_history/2`. Anything else (a Practitioner, a contained `#p1`): null.
 */
export function patientIdOf(reference: unknown): string | null {
  if (typeof reference !== 'string') {
    return null;
  }
  const match = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  return match ? match[1] : null;
}

/** The logical id of an Appointment reference, relative or absolute; null for others. */
export function appointmentIdOf(reference: unknown): string | null {
  if (typeof reference !== 'string') {
    return null;
  }
  const match = /(?:^|\/)Appointment\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(
    reference,
  );
  return match ? match[1] : null;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
