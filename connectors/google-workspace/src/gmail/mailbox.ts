/** A watched Gmail mailbox as the jobs read it. History ids are decimal strings (uint64). */
export interface MailboxRow {
  id: string;
  organisation_id: string;
  connection_id: string;
  address: string;
  history_id: string | null;
  notified_history_id: string | null;
  watch_expires_at: Date | null;
  watch_renewed_at: Date | null;
}

// Gmail asks that watch be called again at least every 7 days and recommends once a day;
// a mailbox renewed more than 20 hours ago is renewed by the next hourly tick.
export const WATCH_RENEW_AFTER_MS = 20 * 3600 * 1000;

/** When a mailbox renewed at `renewedAt` is next due. */
export function nextRenewal(renewedAt: Date): Date {
  return new Date(renewedAt.getTime() + WATCH_RENEW_AFTER_MS);
}
