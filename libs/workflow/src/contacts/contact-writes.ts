import { randomUUID } from 'node:crypto';
import { type EntityManager } from 'typeorm';
import { changedRows } from './changed-rows';
import { type ContactChange } from './contact-input';

/** One row of the JSON record set the write statements read; set_* says "was given". */
interface WriteRow {
  key: string;
  email: string | null;
  email_normalised: string | null;
  set_name: boolean;
  name: string | null;
  time_zone: string | null;
  set_consent: boolean;
  consent: string | null;
  set_ehr: boolean;
  ehr_patient_ref: string | null;
  fields: Record<string, unknown>;
  unsubscribed: boolean | null;
}

const RECORD_SET = `jsonb_to_recordset($2::jsonb) AS r(
  key text, email text, email_normalised text, set_name boolean, name text, time_zone text,
  set_consent boolean, consent text, set_ehr boolean, ehr_patient_ref text, fields jsonb,
  unsubscribed boolean)`;

// Attributes not given keep their value; custom fields merge, and a field given as null goes.
// An unsubscribe keeps its first date, so a re-import does not move it.
const UPDATE_SET = `
  email = COALESCE(r.email, c.email),
  email_normalised = COALESCE(r.email_normalised, c.email_normalised),
  name = CASE WHEN r.set_name THEN r.name ELSE c.name END,
  time_zone = COALESCE(r.time_zone, c.time_zone),
  consent = CASE WHEN r.set_consent THEN r.consent ELSE c.consent END,
  ehr_patient_ref = CASE WHEN r.set_ehr THEN r.ehr_patient_ref ELSE c.ehr_patient_ref END,
  fields = jsonb_strip_nulls(c.fields || r.fields),
  unsubscribed_at = CASE WHEN r.unsubscribed IS NULL THEN c.unsubscribed_at
                         WHEN r.unsubscribed THEN COALESCE(c.unsubscribed_at, $3)
                         ELSE NULL END,
  updated_at = $3`;

const UPDATE_BY_EMAIL = `
  UPDATE contacts c SET ${UPDATE_SET}
    FROM ${RECORD_SET}
   WHERE c.organisation_id = $1 AND c.email_normalised = r.key
  RETURNING r.key, c.id`;

const UPDATE_BY_ID = `
  UPDATE contacts c SET ${UPDATE_SET}
    FROM ${RECORD_SET}
   WHERE c.organisation_id = $1 AND c.id = r.key::uuid
  RETURNING r.key, c.id`;

const INSERT_NEW = `
  INSERT INTO contacts (id, organisation_id, email, email_normalised, name, time_zone, fields,
                        unsubscribed_at, consent, ehr_patient_ref, created_at, updated_at)
  SELECT r.key::uuid, $1, r.email, r.email_normalised, r.name, COALESCE(r.time_zone, 'UTC'),
         jsonb_strip_nulls(r.fields), CASE WHEN r.unsubscribed THEN $3::timestamptz END,
         r.consent, r.ehr_patient_ref, $3, $3
    FROM ${RECORD_SET}
  ON CONFLICT (organisation_id, email_normalised) DO NOTHING
  RETURNING id`;

function writeRow(key: string, change: ContactChange): WriteRow {
  return {
    key,
    email: change.email ?? null,
    email_normalised: change.emailNormalised ?? null,
    set_name: change.name !== undefined,
    name: change.name ?? null,
    time_zone: change.timeZone ?? null,
    set_consent: change.consent !== undefined,
    consent: change.consent ?? null,
    set_ehr: change.ehrPatientRef !== undefined,
    ehr_patient_ref: change.ehrPatientRef ?? null,
    fields: change.fields ?? {},
    unsubscribed: change.unsubscribed ?? null,
  };
}

export interface UpsertOutcome {
  id: string;
  created: boolean;
}

/**
 * Creates or updates contacts by email in two statements per batch. `changes` must carry an
 * email each and no email twice. Run inside a transaction.
 */
export async function upsertContacts(
  manager: EntityManager,
  organisationId: string,
  changes: readonly ContactChange[],
  now: Date,
): Promise<UpsertOutcome[]> {
  const byEmail = changes.map((change) => writeRow(change.emailNormalised ?? '', change));
  const updated = new Map(
    changedRows<{ key: string; id: string }>(
      await manager.query(UPDATE_BY_EMAIL, [organisationId, JSON.stringify(byEmail), now]),
    ).map((row) => [row.key, row.id]),
  );

  const fresh = byEmail
    .filter((row) => !updated.has(row.key))
    .map((row) => ({ ...row, key: randomUUID(), email_key: row.key }));
  if (fresh.length) {
    const inserted = await manager.query<{ id: string }[]>(INSERT_NEW, [
      organisationId,
      JSON.stringify(fresh),
      now,
    ]);
    const insertedIds = new Set(inserted.map((row) => row.id));
    const lost = fresh.filter((row) => !insertedIds.has(row.key));
    if (lost.length) {
      // Another writer created these addresses between our two statements: update them now.
      const retry = lost.map((row) => ({ ...row, key: row.email_key }));
      for (const row of changedRows<{ key: string; id: string }>(
        await manager.query(UPDATE_BY_EMAIL, [organisationId, JSON.stringify(retry), now]),
      )) {
        updated.set(row.key, row.id);
      }
    }
    const created = new Map(
      fresh.filter((row) => insertedIds.has(row.key)).map((row) => [row.email_key, row.key]),
    );
    return byEmail.map((row) => {
      const createdId = created.get(row.key);
      return createdId
        ? { id: createdId, created: true }
        : { id: updated.get(row.key) ?? '', created: false };
    });
  }
  return byEmail.map((row) => ({ id: updated.get(row.key) ?? '', created: false }));
}

/** Applies `change` to the contact `id`; false when the organisation has no such contact. */
export async function updateContact(
  manager: EntityManager,
  organisationId: string,
  id: string,
  change: ContactChange,
  now: Date,
): Promise<boolean> {
  const rows = changedRows(
    await manager.query(UPDATE_BY_ID, [
      organisationId,
      JSON.stringify([writeRow(id, change)]),
      now,
    ]),
  );
  return rows.length > 0;
}

/** Creates one contact; null when the organisation already has a contact with its email. */
export async function insertContact(
  manager: EntityManager,
  organisationId: string,
  change: ContactChange,
  now: Date,
): Promise<string | null> {
  const id = randomUUID();
  const inserted = await manager.query<{ id: string }[]>(INSERT_NEW, [
    organisationId,
    JSON.stringify([writeRow(id, change)]),
    now,
  ]);
  return inserted.length ? id : null;
}
