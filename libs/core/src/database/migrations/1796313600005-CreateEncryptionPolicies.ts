import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateEncryptionPolicies1796313600005 implements MigrationInterface {
  name = 'CreateEncryptionPolicies1796313600005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE encryption_policies (
        organisation_id uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
        policy jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Why each recipient got its method: shown by the API and kept for audit.
    await queryRunner.query(`ALTER TABLE message_recipients ADD COLUMN decision jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE message_recipients DROP COLUMN decision`);
    await queryRunner.query(`DROP TABLE encryption_policies`);
  }
}
