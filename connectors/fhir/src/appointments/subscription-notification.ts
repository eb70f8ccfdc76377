import { appointmentIdOf, isObject } from './appointment-facts';

/** The notification types of the Subscriptions R5 Backport IG (R4 SubscriptionStatus). */
export const NOTIFICATION_TYPES = [
  'handshake',
  'heartbeat',
  'event-notification',
  'query-status',
  'query-event',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface SubscriptionNotification {
  type: NotificationType;
  /** Appointments sent in full (full-resource payloads). */
  appointments: Record<string, unknown>[];
  /** Ids of Appointments named without their content (id-only payloads, event focus). */
  appointmentIds: string[];
}

/** Why a body is not a notification; sentences without any of the body's values. */
export class NotificationShapeError extends Error {}

/**
 * Reads an R4 backport notification: a Bundle of type `history` whose first entry is the
 * SubscriptionStatus as a `Parameters` resource (parameter `type`), followed by the
 * resources or, for id-only payloads, entries with only a `fullUrl`. Event focus references
 * in `notification-event` count too, so an id-only bundle without entries still names them.
 */
export function readSubscriptionNotification(body: unknown): SubscriptionNotification {
  if (!isObject(body) || body.resourceType !== 'Bundle' || body.type !== 'history') {
    throw new NotificationShapeError('The body must be a FHIR Bundle of type history.');
  }
  const entries = Array.isArray(body.entry) ? (body.entry as unknown[]) : [];
  const status = isObject(entries[0]) ? entries[0].resource : undefined;
  if (!isObject(status) || status.resourceType !== 'Parameters') {
    throw new NotificationShapeError(
      'The first entry must be the SubscriptionStatus as a Parameters resource.',
    );
  }
  const parameters = Array.isArray(status.parameter) ? (status.parameter as unknown[]) : [];
  const type = parameters
    .filter(isObject)
    .find((parameter) => parameter.name === 'type')?.valueCode;
  if (!NOTIFICATION_TYPES.includes(type as NotificationType)) {
    throw new NotificationShapeError(
      `The SubscriptionStatus type must be one of ${NOTIFICATION_TYPES.join(', ')}.`,
    );
  }

  const appointments: Record<string, unknown>[] = [];
  const ids = new Set<string>();
  for (const entry of entries.slice(1).filter(isObject)) {
    const resource = entry.resource;
    if (isObject(resource)) {
      if (resource.resourceType === 'Appointment') {
        appointments.push(resource);
      }
      continue;
    }
    const id = appointmentIdOf(entry.fullUrl);
    if (id) {
      ids.add(id);
    }
  }
  for (const event of parameters.filter(isObject)) {
    if (event.name !== 'notification-event' || !Array.isArray(event.part)) {
      continue;
    }
    for (const part of (event.part as unknown[]).filter(isObject)) {
      const focus = part.name === 'focus' && isObject(part.valueReference);
      const id = focus
        ? appointmentIdOf((part.valueReference as { reference?: unknown }).reference)
        : null;
      if (id) {
        ids.add(id);
      }
    }
  }
  // An Appointment sent in full needs no fetch.
  for (const appointment of appointments) {
    ids.delete(String(appointment.id));
  }
  return { type: type as NotificationType, appointments, appointmentIds: [...ids] };
}
