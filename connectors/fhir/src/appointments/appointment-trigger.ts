/** The search run when a trigger names none: booked and cancelled appointments. */
export const DEFAULT_APPOINTMENT_SEARCH = 'status=booked,cancelled';
export const DEFAULT_POLL_INTERVAL_SECONDS = 300;
// Polls more often than this add load on the EHR for minutes nobody notices in a reminder.
export const MIN_POLL_INTERVAL_SECONDS = 30;
export const MAX_POLL_INTERVAL_SECONDS = 86_400;

/** Search parameters Sealpost sets itself on every poll. */
export const RESERVED_SEARCH_PARAMETERS = ['_lastUpdated', '_sort', '_count', '_offset'];

export interface AppointmentTriggerInput {
  workflowId: string;
  /** Extra Appointment search parameters, as a query string (`status=booked&location=…`). */
  search?: string;
  polling?: boolean;
  pollIntervalSeconds?: number;
  /** A new notification secret; the old one stops working at once. */
  rotateSecret?: boolean;
}

/** A connection's appointment trigger as the API shows it; the secret only when just made. */
export interface AppointmentTriggerView {
  connectionId: string;
  workflowId: string;
  search: string;
  polling: boolean;
  pollIntervalSeconds: number;
  /** Where the EHR's rest-hook Subscription posts, relative to the public URL. */
  notificationPath: string;
  /** Present once, when the secret was made: `Authorization: Bearer <secret>`. */
  notificationSecret?: string;
  status: {
    /** The highest meta.lastUpdated read so far; the next poll asks from there on. */
    cursor: string | null;
    lastPolledAt: string | null;
    nextPollAt: string | null;
    /** A failure code of the last poll (`unreachable`, `auth_refused`, `rejected:400`). */
    lastError: string | null;
    /** Appointments the last poll read. */
    lastSeen: number | null;
    lastNotificationAt: string | null;
  };
  createdAt: string;
  updatedAt: string;
}

/** A trigger as the poller and the notification endpoint use it. */
export interface ActiveAppointmentTrigger {
  connectionId: string;
  organisationId: string;
  workflowId: string;
  search: string;
  cursor: string | null;
}
