import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateReports1796313600080 implements MigrationInterface {
  name = 'CreateReports1796313600080';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A report built by the worker. Its bytes hold only counts, but they describe an
    // organisation's traffic, so they are sealed like message bodies and kept for a while only.
    await queryRunner.query(`
      CREATE TABLE reports (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        format text NOT NULL CHECK (format IN ('pdf', 'csv')),
        range_from timestamptz NOT NULL,
        range_to timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'ready', 'failed')),
        progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        requested_by_type text NOT NULL,
        requested_by_id text NOT NULL,
        failure_code text,
        content_ciphertext bytea,
        content_wrapped_key bytea,
        content_key_id text,
        size_bytes integer,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CHECK (range_from < range_to)
      )`);
    await queryRunner.query(
      `CREATE INDEX reports_listing_idx ON reports (organisation_id, created_at DESC)`,
    );
    await queryRunner.query(`CREATE INDEX reports_expiry_idx ON reports (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE reports`);
  }
}
