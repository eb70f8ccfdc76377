import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateKeyDirectory1796313600004 implements MigrationInterface {
  name = 'CreateKeyDirectory1796313600004';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Public keys and certificates only: they are not secret, so they are stored in clear.
    await queryRunner.query(`
      CREATE TABLE recipient_pgp_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        address text NOT NULL,
        fingerprint text NOT NULL,
        armored text NOT NULL,
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT recipient_pgp_keys_unique UNIQUE (organisation_id, address, fingerprint)
      )`);
    await queryRunner.query(`
      CREATE TABLE recipient_certificates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        address text NOT NULL,
        fingerprint text NOT NULL,
        pem text NOT NULL,
        not_after timestamptz NOT NULL,
        capabilities jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT recipient_certificates_unique UNIQUE (organisation_id, address, fingerprint)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE recipient_certificates`);
    await queryRunner.query(`DROP TABLE recipient_pgp_keys`);
  }
}
