import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The Message-IDs of mail the SMTP gateway took, as keyed digests (never the id itself): the
 * Microsoft 365 and Google Workspace connectors look a sent message up here to tell mail that
 * went through the gateway from mail that bypassed it, since the sender's own Sent copy never
 * carries the gateway's stamp. Rows are kept 30 days, far longer than a lookup waits.
 */
export class CreateGatewayReceipts1796313600150 implements MigrationInterface {
  name = 'CreateGatewayReceipts1796313600150';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE gateway_receipts (
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        origin_digest bytea NOT NULL,
        message_id uuid NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organisation_id, origin_digest)
      )`);
    await queryRunner.query(
      `CREATE INDEX gateway_receipts_received_idx ON gateway_receipts (received_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE gateway_receipts`);
  }
}
