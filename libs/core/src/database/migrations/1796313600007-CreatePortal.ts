import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreatePortal1796313600007 implements MigrationInterface {
  name = 'CreatePortal1796313600007';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One link per recipient copy; a delivery retry replaces its token. Tokens and codes are
    // stored only as hashes, so a copy of the database opens no message.
    await queryRunner.query(`
      CREATE TABLE portal_links (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        recipient_id uuid NOT NULL UNIQUE REFERENCES message_recipients (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        failed_attempts integer NOT NULL DEFAULT 0,
        locked_at timestamptz,
        code_hash bytea,
        code_expires_at timestamptz,
        passphrase_hash bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX portal_links_message_idx ON portal_links (organisation_id, message_id)`,
    );
    // Sessions live server side so idle expiry and revocation take effect at once.
    await queryRunner.query(`
      CREATE TABLE portal_sessions (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        link_id uuid NOT NULL REFERENCES portal_links (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE,
        csrf_token text NOT NULL,
        last_seen_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX portal_sessions_link_idx ON portal_sessions (link_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE portal_sessions`);
    await queryRunner.query(`DROP TABLE portal_links`);
  }
}
