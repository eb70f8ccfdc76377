import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateGatewayAccess1796313600110 implements MigrationInterface {
  name = 'CreateGatewayAccess1796313600110';

  async up(queryRunner: QueryRunner): Promise<void> {
    // SMTP AUTH credentials of the gateway. The username is global (it names the organisation
    // at AUTH time); the password is 256 random bits, so a SHA-256 hash suffices, as for API
    // keys.
    await queryRunner.query(`
      CREATE TABLE gateway_credentials (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        name text NOT NULL,
        username text NOT NULL UNIQUE,
        secret_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX gateway_credentials_organisation_idx
         ON gateway_credentials (organisation_id, created_at)`,
    );
    // Hosts (a mail suite's outbound servers) allowed to relay without AUTH. Suites share
    // their outbound addresses between customers, so a range may be narrowed to sender
    // domains; an address in several organisations' ranges needs them to tell it apart.
    await queryRunner.query(`
      CREATE TABLE gateway_sender_ranges (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        cidr cidr NOT NULL,
        sender_domains text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organisation_id, cidr)
      )`);
    await queryRunner.query(
      `CREATE INDEX gateway_sender_ranges_cidr_idx ON gateway_sender_ranges USING gist
         (cidr inet_ops)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE gateway_sender_ranges`);
    await queryRunner.query(`DROP TABLE gateway_credentials`);
  }
}
