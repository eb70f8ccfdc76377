import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateContactLists1796313600021 implements MigrationInterface {
  name = 'CreateContactLists1796313600021';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE contact_lists (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        CONSTRAINT contact_lists_name_unique UNIQUE (organisation_id, name)
      )`);
    // The organisation is part of both keys, so a member row can never join a list of one
    // organisation to a contact of another.
    await queryRunner.query(
      `ALTER TABLE contact_lists ADD CONSTRAINT contact_lists_org_id_unique
         UNIQUE (organisation_id, id)`,
    );
    await queryRunner.query(
      `ALTER TABLE contacts ADD CONSTRAINT contacts_org_id_unique UNIQUE (organisation_id, id)`,
    );
    await queryRunner.query(`
      CREATE TABLE contact_list_members (
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        list_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        added_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        PRIMARY KEY (list_id, contact_id),
        FOREIGN KEY (organisation_id, list_id)
          REFERENCES contact_lists (organisation_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organisation_id, contact_id)
          REFERENCES contacts (organisation_id, id) ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE INDEX contact_list_members_contact_idx ON contact_list_members (contact_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE contact_list_members`);
    await queryRunner.query(`ALTER TABLE contacts DROP CONSTRAINT contacts_org_id_unique`);
    await queryRunner.query(`DROP TABLE contact_lists`);
  }
}
