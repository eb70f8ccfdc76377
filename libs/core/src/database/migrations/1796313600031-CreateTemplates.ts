import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateTemplates1796313600031 implements MigrationInterface {
  name = 'CreateTemplates1796313600031';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Subject and parts are sealed like message content (a template can name a condition);
    // the name stays in clear for listings. `version` grows on every edit, so a cached
    // compiled template is known to be stale.
    await queryRunner.query(`
      CREATE TABLE templates (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        name text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        content_ciphertext bytea NOT NULL,
        content_wrapped_key bytea NOT NULL,
        content_key_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
      )`);
    await queryRunner.query(
      `CREATE INDEX templates_listing_idx ON templates (organisation_id, created_at DESC, id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE templates`);
  }
}
