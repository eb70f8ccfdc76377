import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateContacts1796313600020 implements MigrationInterface {
  name = 'CreateContacts1796313600020';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Addresses and names stay in clear: segments filter and sort on them in SQL. Custom
    // values live in `fields`, typed by contact_fields and checked before every write.
    await queryRunner.query(`
      CREATE TABLE contacts (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        email text NOT NULL,
        email_normalised text NOT NULL,
        name text,
        time_zone text NOT NULL DEFAULT 'UTC',
        fields jsonb NOT NULL DEFAULT '{}',
        unsubscribed_at timestamptz,
        consent text,
        ehr_patient_ref text,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        CONSTRAINT contacts_email_unique UNIQUE (organisation_id, email_normalised)
      )`);
    await queryRunner.query(`CREATE INDEX contacts_listing_idx ON contacts (organisation_id, id)`);
    await queryRunner.query(`
      CREATE TABLE contact_fields (
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        key text NOT NULL,
        type text NOT NULL CHECK (type IN ('string', 'number', 'boolean', 'date', 'datetime')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organisation_id, key)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE contact_fields`);
    await queryRunner.query(`DROP TABLE contacts`);
  }
}
