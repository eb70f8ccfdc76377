import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The FHIR connector: connections to EHRs, the keys Sealpost signs SMART client assertions
 * with, and one sync row per connection and message recipient. A statement-level trigger on
 * message_events marks the row due in the event's own transaction (outbox style), so no
 * event is lost and none is charted before it commits.
 */
export class CreateFhirConnector1796313600140 implements MigrationInterface {
  name = 'CreateFhirConnector1796313600140';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The bearer token (bearer mode) is sealed like message bodies. An empty event_types means
    // every event type; capabilities are what the last "test connection" read from /metadata.
    await queryRunner.query(`
      CREATE TABLE fhir_connections (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        name text NOT NULL,
        base_url text NOT NULL,
        auth_mode text NOT NULL CHECK (auth_mode IN ('smart-backend', 'bearer')),
        client_id text,
        scope text,
        token_ciphertext bytea,
        token_wrapped_key bytea,
        token_key_id text,
        event_types text[] NOT NULL DEFAULT '{}',
        include_content boolean NOT NULL DEFAULT false,
        enabled boolean NOT NULL DEFAULT true,
        capabilities jsonb,
        capabilities_checked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX fhir_connections_listing_idx ON fhir_connections (organisation_id, created_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX fhir_connections_enabled_idx ON fhir_connections (organisation_id)
        WHERE enabled`,
    );
    // Published as a JWKS until removed; the newest signs (rotation: add, then remove).
    await queryRunner.query(`
      CREATE TABLE fhir_signing_keys (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        algorithm text NOT NULL CHECK (algorithm IN ('ES384', 'RS384')),
        public_jwk jsonb NOT NULL,
        private_ciphertext bytea NOT NULL,
        private_wrapped_key bytea NOT NULL,
        private_key_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await queryRunner.query(
      `CREATE INDEX fhir_signing_keys_org_idx ON fhir_signing_keys (organisation_id, created_at)`,
    );
    // generation counts the events seen; a write that started before the latest one leaves the
    // row pending, so the newest state is always written last.
    await queryRunner.query(`
      CREATE TABLE fhir_syncs (
        id bigserial PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        connection_id uuid NOT NULL REFERENCES fhir_connections (id) ON DELETE CASCADE,
        message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        recipient_id uuid NOT NULL REFERENCES message_recipients (id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'synced', 'failed', 'skipped')),
        generation integer NOT NULL DEFAULT 1,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        enqueued_at timestamptz,
        lease_until timestamptz,
        last_error text,
        fhir_id text,
        fhir_version text,
        fhir_status text,
        written_keys text[] NOT NULL DEFAULT '{}',
        synced_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (connection_id, recipient_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX fhir_syncs_due_idx ON fhir_syncs (next_attempt_at) WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX fhir_syncs_message_idx ON fhir_syncs (organisation_id, message_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX fhir_syncs_failed_idx ON fhir_syncs (organisation_id, updated_at)
        WHERE status = 'failed'`,
    );
    await queryRunner.query(`
      CREATE FUNCTION fhir_sync_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM fhir_connections WHERE enabled) THEN
          RETURN NULL;
        END IF;
        INSERT INTO fhir_syncs (organisation_id, connection_id, message_id, recipient_id)
        SELECT DISTINCT e.organisation_id, c.id, e.message_id, e.recipient_id
          FROM new_events e
          JOIN fhir_connections c ON c.organisation_id = e.organisation_id AND c.enabled
         WHERE e.recipient_id IS NOT NULL
           AND (cardinality(c.event_types) = 0
             OR (CASE WHEN strpos(e.type, '.') > 0 THEN e.type ELSE 'message.' || e.type END)
                = ANY (c.event_types))
        ON CONFLICT (connection_id, recipient_id) DO UPDATE
          SET generation = fhir_syncs.generation + 1, status = 'pending', attempts = 0,
              next_attempt_at = now(), enqueued_at = NULL, updated_at = now();
        IF FOUND THEN
          PERFORM pg_notify('sealpost_fhir', '');
        END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER message_events_fhir_sync_fan_out
        AFTER INSERT ON message_events
        REFERENCING NEW TABLE AS new_events
        FOR EACH STATEMENT EXECUTE FUNCTION fhir_sync_fan_out()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER message_events_fhir_sync_fan_out ON message_events`);
    await queryRunner.query(`DROP FUNCTION fhir_sync_fan_out()`);
    await queryRunner.query(`DROP TABLE fhir_syncs`);
    await queryRunner.query(`DROP TABLE fhir_signing_keys`);
    await queryRunner.query(`DROP TABLE fhir_connections`);
  }
}
