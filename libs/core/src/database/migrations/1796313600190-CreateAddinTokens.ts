import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateAddinTokens1796313600190 implements MigrationInterface {
  name = 'CreateAddinTokens1796313600190';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Per-user tokens of the Outlook add-in. 256 random bits each, so a SHA-256 hash suffices,
    // as for sessions and API keys; the add-in shows the token to nobody.
    await queryRunner.query(`
      CREATE TABLE addin_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        client text NOT NULL CHECK (client IN ('outlook')),
        token_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        last_used_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX addin_tokens_user_idx ON addin_tokens (organisation_id, user_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE addin_tokens`);
  }
}
