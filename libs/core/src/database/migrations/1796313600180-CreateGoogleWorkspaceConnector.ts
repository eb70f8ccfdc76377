import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The Google Workspace connector: one connection per organisation (a service account with
 * domain-wide delegation), the directory it mirrors (users, groups, members), one row per
 * watched Gmail mailbox with its history position, and the sent messages already checked (so
 * a history entry Gmail reports twice is audited once).
 */
export class CreateGoogleWorkspaceConnector1796313600180 implements MigrationInterface {
  name = 'CreateGoogleWorkspaceConnector1796313600180';

  async up(queryRunner: QueryRunner): Promise<void> {
    // key_*: the service account's JSON key, sealed with the master key. push_token_hash: the
    // SHA-256 of the optional secret a push subscription may carry instead of an OIDC token.
    await queryRunner.query(`
      CREATE TABLE google_workspace_connections (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL UNIQUE REFERENCES organisations (id) ON DELETE CASCADE,
        customer_id text NOT NULL,
        domain text,
        admin_subject text NOT NULL,
        client_email text NOT NULL,
        private_key_id text,
        key_ciphertext bytea NOT NULL,
        key_wrapped_key bytea NOT NULL,
        key_key_id text NOT NULL,
        pubsub_topic text,
        push_auth text NOT NULL CHECK (push_auth IN ('oidc', 'token')),
        push_audience text,
        push_service_account text,
        push_token_hash bytea,
        enabled boolean NOT NULL DEFAULT true,
        directory_synced_at timestamptz,
        last_error text,
        last_error_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    // digest: a hash of the fields kept, so a sync tells a changed entry from an unchanged one.
    await queryRunner.query(`
      CREATE TABLE google_directory_users (
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        google_id text NOT NULL,
        primary_email text NOT NULL,
        full_name text,
        suspended boolean NOT NULL DEFAULT false,
        is_admin boolean NOT NULL DEFAULT false,
        org_unit_path text,
        digest text NOT NULL,
        synced_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (organisation_id, google_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX google_directory_users_email_idx
         ON google_directory_users (organisation_id, lower(primary_email))`,
    );
    await queryRunner.query(`
      CREATE TABLE google_directory_groups (
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        google_id text NOT NULL,
        email text NOT NULL,
        name text,
        digest text NOT NULL,
        synced_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (organisation_id, google_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX google_directory_groups_email_idx
         ON google_directory_groups (organisation_id, lower(email))`,
    );
    // A member is a user, a group or a customer; member_email is what policy matches senders on.
    await queryRunner.query(`
      CREATE TABLE google_group_members (
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        group_id text NOT NULL,
        member_id text NOT NULL,
        member_email text,
        member_type text NOT NULL,
        role text NOT NULL,
        PRIMARY KEY (organisation_id, group_id, member_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX google_group_members_email_idx
         ON google_group_members (organisation_id, lower(member_email))`,
    );
    // history_id: how far the SENT history has been read. notified_history_id: the newest a
    // push announced; a mailbox whose notified id is ahead still has history to read.
    await queryRunner.query(`
      CREATE TABLE google_mailboxes (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        connection_id uuid NOT NULL
          REFERENCES google_workspace_connections (id) ON DELETE CASCADE,
        user_google_id text NOT NULL,
        address text NOT NULL,
        history_id numeric(20),
        notified_history_id numeric(20),
        watch_expires_at timestamptz,
        watch_renewed_at timestamptz,
        history_synced_at timestamptz,
        full_syncs integer NOT NULL DEFAULT 0,
        last_error text,
        last_error_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        UNIQUE (connection_id, user_google_id)
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX google_mailboxes_address_idx
         ON google_mailboxes (connection_id, lower(address))`,
    );
    await queryRunner.query(`
      CREATE TABLE google_sent_checks (
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        mailbox_id uuid NOT NULL REFERENCES google_mailboxes (id) ON DELETE CASCADE,
        gmail_message_id text NOT NULL,
        through_gateway boolean NOT NULL,
        checked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (mailbox_id, gmail_message_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX google_sent_checks_org_idx ON google_sent_checks (organisation_id, checked_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE google_sent_checks`);
    await queryRunner.query(`DROP TABLE google_mailboxes`);
    await queryRunner.query(`DROP TABLE google_group_members`);
    await queryRunner.query(`DROP TABLE google_directory_groups`);
    await queryRunner.query(`DROP TABLE google_directory_users`);
    await queryRunner.query(`DROP TABLE google_workspace_connections`);
  }
}
