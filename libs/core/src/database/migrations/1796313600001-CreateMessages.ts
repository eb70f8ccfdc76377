import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateMessages1796313600001 implements MigrationInterface {
  name = 'CreateMessages1796313600001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        from_address text NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        metadata jsonb NOT NULL DEFAULT '{}',
        content_ciphertext bytea NOT NULL,
        content_wrapped_key bytea NOT NULL,
        content_key_id text NOT NULL,
        size_bytes integer NOT NULL,
        -- Milliseconds, so a listing cursor written from a JavaScript Date matches exactly.
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
      )`);
    await queryRunner.query(
      `CREATE INDEX messages_listing_idx ON messages (organisation_id, created_at DESC, id DESC)`,
    );
    await queryRunner.query(`CREATE INDEX messages_tags_idx ON messages USING gin (tags)`);
    await queryRunner.query(`
      CREATE TABLE message_recipients (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('to', 'cc', 'bcc')),
        address text NOT NULL,
        domain text NOT NULL,
        status text NOT NULL,
        method text,
        smtp_response text,
        tls_version text,
        tls_cipher text,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        first_attempt_at timestamptz,
        lease_until timestamptz,
        delivered_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX message_recipients_message_idx ON message_recipients (message_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX message_recipients_address_idx
         ON message_recipients (organisation_id, address)`,
    );
    await queryRunner.query(`
      CREATE TABLE message_events (
        id bigserial PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        recipient_id uuid REFERENCES message_recipients (id) ON DELETE CASCADE,
        type text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await queryRunner.query(
      `CREATE INDEX message_events_message_idx ON message_events (message_id, id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE message_events`);
    await queryRunner.query(`DROP TABLE message_recipients`);
    await queryRunner.query(`DROP TABLE messages`);
  }
}
