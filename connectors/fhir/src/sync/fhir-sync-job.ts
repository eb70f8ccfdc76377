import { z } from 'zod';

/** Bull queue of FHIR writes; jobs carry ids only, everything else is re-read. */
export const FHIR_SYNC_QUEUE = 'fhir-sync';
export const FHIR_SYNC_JOB = 'sync-communication';

/** The fan-out trigger's NOTIFY channel; the dispatcher wakes on it. */
export const FHIR_SYNC_CHANNEL = 'sealpost_fhir';

// Sync rows of one organisation per job: one claim and one result statement serve them all,
// which is most of a sync's cost besides the EHR's answer.
export const FHIR_SYNC_BATCH = 25;

export const fhirSyncJobSchema = z.object({
  v: z.literal(1),
  organisationId: z.uuid(),
  syncIds: z
    .array(z.string().regex(/^\d{1,18}$/))
    .min(1)
    .max(FHIR_SYNC_BATCH),
});

export type FhirSyncJob = z.infer<typeof fhirSyncJobSchema>;

/**
 * Waits before attempts 2..8 (seconds): quick at first for a blip, then spaced so an EHR down
 * for a maintenance window (a few hours) is caught up with, about 4.5 hours in all. After the
 * last, the row is `failed` and waits for a replay or the recipient's next event.
 */
export const FHIR_RETRY_DELAYS_SECONDS = [10, 30, 120, 600, 1800, 3600, 10_800];
export const FHIR_MAX_ATTEMPTS = FHIR_RETRY_DELAYS_SECONDS.length + 1;
