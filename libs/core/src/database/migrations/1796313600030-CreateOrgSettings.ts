import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateOrgSettings1796313600030 implements MigrationInterface {
  name = 'CreateOrgSettings1796313600030';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per organisation that changed a setting; no row means every default applies,
    // so existing organisations need no backfill. Tracking is on by default (issue 4).
    await queryRunner.query(`
      CREATE TABLE organisation_settings (
        organisation_id uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
        tracking_enabled boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE organisation_settings`);
  }
}
