import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateWebhookAttempts1796313600062 implements MigrationInterface {
  name = 'CreateWebhookAttempts1796313600062';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The attempts log: status code and a short machine reason, never the receiver's body.
    await queryRunner.query(`
      CREATE TABLE webhook_attempts (
        id bigserial PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        delivery_id bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        attempted_at timestamptz NOT NULL,
        status_code integer,
        outcome text NOT NULL CHECK (outcome IN ('succeeded', 'retrying', 'failed')),
        error text,
        duration_ms integer NOT NULL,
        next_attempt_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX webhook_attempts_endpoint_idx ON webhook_attempts (endpoint_id, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_attempts`);
  }
}
