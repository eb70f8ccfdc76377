import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateOrganisationKeys1796313600006 implements MigrationInterface {
  name = 'CreateOrganisationKeys1796313600006';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The organisation's own keys. A private half is stored only sealed with the master key
    // (ciphertext, wrapped data key, key id), like message bodies.
    await queryRunner.query(`
      CREATE TABLE organisation_keys (
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        purpose text NOT NULL CHECK (purpose IN ('pgp-signing', 'pgp-archive')),
        fingerprint text NOT NULL,
        public_armored text NOT NULL,
        private_ciphertext bytea,
        private_wrapped_key bytea,
        private_key_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organisation_id, purpose)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE organisation_keys`);
  }
}
