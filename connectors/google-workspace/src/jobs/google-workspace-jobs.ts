import { z } from 'zod';

/** Bull queue of the connector's work; jobs carry ids only, everything else is re-read. */
export const GOOGLE_WORKSPACE_QUEUE = 'google-workspace';

export const DIRECTORY_SYNC_JOB = 'directory-sync';
export const SENT_CHECK_JOB = 'sent-check';
/** Hourly: directory syncs and watch renewals that are due, and history pushes missed. */
export const MAINTENANCE_JOB = 'maintenance';
export const MAINTENANCE_EVERY_MS = 3600 * 1000;

export const directorySyncJobSchema = z.object({
  v: z.literal(1),
  organisationId: z.uuid(),
});
export type DirectorySyncJob = z.infer<typeof directorySyncJobSchema>;

export const sentCheckJobSchema = z.object({
  v: z.literal(1),
  organisationId: z.uuid(),
  mailboxId: z.uuid(),
});
export type SentCheckJob = z.infer<typeof sentCheckJobSchema>;

// A failed directory sync or history read is tried again by Bull a few times over about a
// quarter of an hour; after that the hourly maintenance picks it up.
export const GOOGLE_JOB_ATTEMPTS = 4;
export const GOOGLE_JOB_BACKOFF_MS = 60_000;
