import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Addresses an organisation no longer sends to: hard bounces, and entries an admin adds. The
 * address stays in clear, lower-cased, like a recipient's or contact's: delivery matches on it
 * in SQL. A row carries the bounce that put it there (ids and the status code only).
 */
export class CreateSuppressions1796313600120 implements MigrationInterface {
  name = 'CreateSuppressions1796313600120';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE suppressions (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        address text NOT NULL CHECK (address = lower(address)),
        reason text NOT NULL CHECK (reason IN ('hard_bounce', 'manual')),
        status_code text,
        message_id uuid REFERENCES messages (id) ON DELETE SET NULL,
        recipient_id uuid REFERENCES message_recipients (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        CONSTRAINT suppressions_address_unique UNIQUE (organisation_id, address)
      )`);
    await queryRunner.query(
      `CREATE INDEX suppressions_listing_idx
         ON suppressions (organisation_id, created_at DESC, id DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE suppressions`);
  }
}
