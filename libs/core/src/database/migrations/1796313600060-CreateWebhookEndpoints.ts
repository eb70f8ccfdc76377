import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateWebhookEndpoints1796313600060 implements MigrationInterface {
  name = 'CreateWebhookEndpoints1796313600060';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The signing secret (whsec_ or whsk_) is sealed like message bodies; the previous one
    // stays beside it until its rotation window ends. An empty event_types means every type.
    await queryRunner.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        url text NOT NULL,
        description text NOT NULL DEFAULT '',
        event_types text[] NOT NULL DEFAULT '{}',
        enabled boolean NOT NULL DEFAULT true,
        signing text NOT NULL CHECK (signing IN ('hmac-sha256', 'ed25519')),
        secret_ciphertext bytea NOT NULL,
        secret_wrapped_key bytea NOT NULL,
        secret_key_id text NOT NULL,
        public_key text,
        previous_secret_ciphertext bytea,
        previous_secret_wrapped_key bytea,
        previous_secret_key_id text,
        previous_public_key text,
        previous_secret_expires_at timestamptz,
        disabled_reason text,
        disabled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX webhook_endpoints_listing_idx
         ON webhook_endpoints (organisation_id, created_at, id)`,
    );
    // What the fan-out trigger probes on every insert of message events: kept tiny.
    await queryRunner.query(
      `CREATE INDEX webhook_endpoints_enabled_idx ON webhook_endpoints (organisation_id)
        WHERE enabled`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_endpoints`);
  }
}
