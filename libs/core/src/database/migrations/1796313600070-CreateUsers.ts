import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateUsers1796313600070 implements MigrationInterface {
  name = 'CreateUsers1796313600070';

  async up(queryRunner: QueryRunner): Promise<void> {
    // An address signs in without naming its organisation, so it is unique across all of them.
    // The TOTP secret is sealed like other secrets; the password only ever stored as a hash.
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        email text NOT NULL,
        name text NOT NULL,
        role text NOT NULL
          CHECK (role IN ('owner', 'admin', 'compliance', 'sender', 'break_glass')),
        status text NOT NULL DEFAULT 'invited'
          CHECK (status IN ('invited', 'active', 'disabled')),
        password_hash text,
        totp_ciphertext bytea,
        totp_wrapped_key bytea,
        totp_key_id text,
        totp_last_step bigint,
        invite_hash bytea,
        invite_expires_at timestamptz,
        failed_attempts integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_email_unique ON users (lower(email))`);
    await queryRunner.query(`CREATE INDEX users_organisation_idx ON users (organisation_id)`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX users_invite_hash_unique ON users (invite_hash)
        WHERE invite_hash IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE user_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE,
        -- Why an emergency account signed in: free text, so sealed like any other secret.
        break_glass_reason_ciphertext bytea,
        break_glass_reason_wrapped_key bytea,
        break_glass_reason_key_id text,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX user_sessions_user_idx ON user_sessions (user_id) WHERE ended_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE user_sessions`);
    await queryRunner.query(`DROP TABLE users`);
  }
}
