import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class AddRetention1796313600090 implements MigrationInterface {
  name = 'AddRetention1796313600090';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A message whose body was destroyed keeps its row, recipients and events: the record of
    // what was sent, how and when outlives the content.
    await queryRunner.query(`
      ALTER TABLE messages
        ALTER COLUMN content_ciphertext DROP NOT NULL,
        ALTER COLUMN content_wrapped_key DROP NOT NULL,
        ALTER COLUMN content_key_id DROP NOT NULL,
        ADD COLUMN content_destroyed_at timestamptz,
        ADD CONSTRAINT messages_content_kept_or_destroyed
          CHECK ((content_ciphertext IS NULL) = (content_destroyed_at IS NOT NULL))`);
    // No row, or a NULL, keeps forever. Events stay at least a week: webhook retries of an
    // event run for about three days and must find it.
    await queryRunner.query(`
      CREATE TABLE retention_policies (
        organisation_id uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
        body_days integer CHECK (body_days BETWEEN 1 AND 36500),
        event_days integer CHECK (event_days BETWEEN 7 AND 36500),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX message_events_organisation_created_idx
         ON message_events (organisation_id, created_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX messages_content_kept_idx ON messages (organisation_id, created_at)
        WHERE content_destroyed_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX messages_content_kept_idx`);
    await queryRunner.query(`DROP INDEX message_events_organisation_created_idx`);
    await queryRunner.query(`DROP TABLE retention_policies`);
    await queryRunner.query(`
      ALTER TABLE messages
        DROP CONSTRAINT messages_content_kept_or_destroyed,
        DROP COLUMN content_destroyed_at`);
  }
}
