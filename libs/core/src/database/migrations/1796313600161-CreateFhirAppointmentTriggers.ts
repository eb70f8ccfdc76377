import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * EHR appointments starting journeys: per FHIR connection, which workflow an appointment
 * enrolls its patient's contact into, how the EHR is polled (search, interval, cursor, last
 * result) and the sealed secret its Subscription notifications must present. Each appointment
 * seen is remembered by a fingerprint of what matters to a reminder (status, start, patients),
 * never by its contents, so the same version seen twice (a poll and a notification) counts
 * once and a change is recognised.
 */
export class CreateFhirAppointmentTriggers1796313600161 implements MigrationInterface {
  name = 'CreateFhirAppointmentTriggers1796313600161';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE fhir_appointment_triggers (
        connection_id uuid PRIMARY KEY REFERENCES fhir_connections (id) ON DELETE CASCADE,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        workflow_id uuid NOT NULL,
        search text NOT NULL,
        polling boolean NOT NULL DEFAULT true,
        poll_interval_seconds integer NOT NULL CHECK (poll_interval_seconds >= 30),
        secret_ciphertext bytea,
        secret_wrapped_key bytea,
        secret_key_id text,
        cursor text,
        next_poll_at timestamptz NOT NULL DEFAULT now(),
        last_polled_at timestamptz,
        last_poll_error text,
        last_poll_seen integer,
        last_notification_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        updated_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (organisation_id, workflow_id)
          REFERENCES workflows (organisation_id, id) ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE INDEX fhir_appointment_triggers_due_idx ON fhir_appointment_triggers (next_poll_at)
        WHERE polling`,
    );
    // generation counts the journeys an appointment started: a reschedule ends one and
    // starts the next, keyed fhir:<connection>:Appointment/<id>:<generation>.
    await queryRunner.query(`
      CREATE TABLE fhir_appointments (
        connection_id uuid NOT NULL REFERENCES fhir_connections (id) ON DELETE CASCADE,
        appointment_id text NOT NULL,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        fingerprint text NOT NULL,
        status text NOT NULL,
        generation integer NOT NULL DEFAULT 0,
        journeys integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (connection_id, appointment_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX contacts_ehr_patient_idx ON contacts (organisation_id, ehr_patient_ref)
        WHERE ehr_patient_ref IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX contacts_ehr_patient_idx`);
    await queryRunner.query(`DROP TABLE fhir_appointments`);
    await queryRunner.query(`DROP TABLE fhir_appointment_triggers`);
  }
}
