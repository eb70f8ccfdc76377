import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Ed25519 signing keys of the audit checkpoints and the checkpoints themselves. A generated
 * key's private half is sealed with the master key (AES-256-GCM envelope, key id beside it);
 * a key given in configuration stores its public half only. Public keys stay forever, so old
 * checkpoints remain verifiable after a key changes.
 */
export class CreateAuditCheckpoints1796313600051 implements MigrationInterface {
  name = 'CreateAuditCheckpoints1796313600051';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_signing_keys (
        id text PRIMARY KEY,
        public_key bytea NOT NULL,
        private_ciphertext bytea,
        private_wrapped_key bytea,
        private_key_id text,
        generated boolean NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // At most one generated key: two processes booting together agree on the same one.
    await queryRunner.query(
      `CREATE UNIQUE INDEX audit_signing_keys_generated_idx ON audit_signing_keys (generated)
        WHERE generated`,
    );
    await queryRunner.query(`
      CREATE TABLE audit_checkpoints (
        organisation_id uuid NOT NULL REFERENCES organisations (id),
        sequence bigint NOT NULL,
        hash bytea NOT NULL,
        signed_at timestamptz NOT NULL,
        key_id text NOT NULL REFERENCES audit_signing_keys (id),
        signature bytea NOT NULL,
        PRIMARY KEY (organisation_id, sequence)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_checkpoints`);
    await queryRunner.query(`DROP TABLE audit_signing_keys`);
  }
}
