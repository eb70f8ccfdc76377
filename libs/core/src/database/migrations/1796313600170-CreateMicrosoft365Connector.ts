import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The Microsoft 365 connector: one connection per organisation (app-only Graph access), the
 * directory it mirrors by delta queries, the Sent Items subscriptions and the sent messages
 * already audited (so a notification Graph delivers twice is audited once).
 */
export class CreateMicrosoft365Connector1796313600170 implements MigrationInterface {
  name = 'CreateMicrosoft365Connector1796313600170';

  async up(queryRunner: QueryRunner): Promise<void> {
    // credential_*: the client secret, or the certificate's private key PEM, sealed with the
    // master key. client_state_*: the secret Graph echoes in every notification, sealed too.
    await queryRunner.query(`
      CREATE TABLE m365_connections (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL UNIQUE REFERENCES organisations (id) ON DELETE CASCADE,
        tenant_id text NOT NULL,
        client_id text NOT NULL,
        credential_kind text NOT NULL CHECK (credential_kind IN ('secret', 'certificate')),
        credential_ciphertext bytea NOT NULL,
        credential_wrapped_key bytea NOT NULL,
        credential_key_id text NOT NULL,
        certificate_pem text,
        client_state_ciphertext bytea NOT NULL,
        client_state_wrapped_key bytea NOT NULL,
        client_state_key_id text NOT NULL,
        watch_sent_items boolean NOT NULL DEFAULT true,
        enabled boolean NOT NULL DEFAULT true,
        users_delta_link text,
        groups_delta_link text,
        last_token_ok boolean,
        last_token_at timestamptz,
        last_sync_at timestamptz,
        last_error text,
        last_error_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await queryRunner.query(`
      CREATE TABLE m365_users (
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        id text NOT NULL,
        mail text,
        user_principal_name text,
        display_name text,
        account_enabled boolean NOT NULL DEFAULT true,
        synced_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (organisation_id, id)
      )`);
    await queryRunner.query(
      `CREATE INDEX m365_users_mail_idx ON m365_users (organisation_id, lower(mail))`,
    );
    await queryRunner.query(
      `CREATE INDEX m365_users_upn_idx ON m365_users (organisation_id, lower(user_principal_name))`,
    );
    await queryRunner.query(`
      CREATE TABLE m365_groups (
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        id text NOT NULL,
        display_name text,
        synced_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (organisation_id, id)
      )`);
    // No foreign keys to m365_users: a group delta can name a member before the user delta
    // has brought the user.
    await queryRunner.query(`
      CREATE TABLE m365_group_members (
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        group_id text NOT NULL,
        user_id text NOT NULL,
        synced_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (organisation_id, group_id, user_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX m365_group_members_user_idx ON m365_group_members (organisation_id, user_id)`,
    );
    await queryRunner.query(`
      CREATE TABLE m365_subscriptions (
        id text PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        user_id text NOT NULL,
        resource text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        renewed_at timestamptz,
        UNIQUE (organisation_id, user_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX m365_subscriptions_expiry_idx ON m365_subscriptions (expires_at)`,
    );
    await queryRunner.query(`
      CREATE TABLE m365_sent_items (
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        message_id text NOT NULL,
        user_id text NOT NULL,
        bypassed boolean NOT NULL,
        seen_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (organisation_id, message_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE m365_sent_items`);
    await queryRunner.query(`DROP TABLE m365_subscriptions`);
    await queryRunner.query(`DROP TABLE m365_group_members`);
    await queryRunner.query(`DROP TABLE m365_groups`);
    await queryRunner.query(`DROP TABLE m365_users`);
    await queryRunner.query(`DROP TABLE m365_connections`);
  }
}
