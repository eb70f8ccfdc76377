import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateSegments1796313600022 implements MigrationInterface {
  name = 'CreateSegments1796313600022';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE segments (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        name text NOT NULL,
        filter jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        CONSTRAINT segments_name_unique UNIQUE (organisation_id, name)
      )`);
    // Engagement conditions look up a contact's workflow emails by the metadata the engine
    // writes on each message; without this index every such condition scans all messages.
    await queryRunner.query(`
      CREATE INDEX messages_contact_idx
        ON messages (organisation_id, (metadata ->> 'contactId'))
        WHERE metadata ? 'contactId'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX messages_contact_idx`);
    await queryRunner.query(`DROP TABLE segments`);
  }
}
