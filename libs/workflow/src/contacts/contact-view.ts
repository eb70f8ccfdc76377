/** A contact as templates and the journey engine see it. */
export interface ContactView {
  id: string;
  email: string;
  name: string | null;
  timeZone: string;
  fields: Record<string, unknown>;
  unsubscribedAt: string | null;
  ehrPatientRef: string | null;
}

/** A contact as the API shows it. */
export interface ContactRecord extends ContactView {
  consent: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ContactPage {
  data: ContactRecord[];
  nextCursor: string | null;
}

export interface ContactRow {
  id: string;
  email: string;
  name: string | null;
  time_zone: string;
  fields: Record<string, unknown>;
  unsubscribed_at: Date | null;
  consent: string | null;
  ehr_patient_ref: string | null;
  created_at: Date;
  updated_at: Date;
}

export const CONTACT_COLUMNS =
  'id, email, name, time_zone, fields, unsubscribed_at, consent, ehr_patient_ref, ' +
  'created_at, updated_at';

export function contactRecord(row: ContactRow): ContactRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    timeZone: row.time_zone,
    fields: row.fields,
    unsubscribedAt: row.unsubscribed_at?.toISOString() ?? null,
    consent: row.consent,
    ehrPatientRef: row.ehr_patient_ref,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
