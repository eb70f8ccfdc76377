import { type MigrationInterface, type QueryRunner } from 'typeorm';

const PROTECTED = ['audit_records', 'audit_checkpoints'];

/**
 * Audit rows can be inserted, never changed. Sealpost connects as whatever DATABASE_URL
 * names, often a superuser whose privileges no REVOKE limits, so triggers refuse UPDATE,
 * DELETE and TRUNCATE for every role; only a superuser who disables them (which the chain
 * verification then exposes) gets past. Where the app runs as an ordinary role, its UPDATE,
 * DELETE and TRUNCATE privileges on the tables are revoked as well.
 */
export class MakeAuditAppendOnly1796313600052 implements MigrationInterface {
  name = 'MakeAuditAppendOnly1796313600052';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit records are append-only (% on %)', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    for (const table of PROTECTED) {
      await queryRunner.query(`
        CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table}
          FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
      await queryRunner.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
      await queryRunner.query(`
        DO $$ BEGIN
          IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
            EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE ON ${table} FROM PUBLIC, '
              || quote_ident(current_user);
          END IF;
        END $$`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [...PROTECTED].reverse()) {
      await queryRunner.query(`DROP TRIGGER ${table}_no_truncate ON ${table}`);
      await queryRunner.query(`DROP TRIGGER ${table}_no_change ON ${table}`);
    }
    await queryRunner.query(`DROP FUNCTION audit_refuse_change()`);
  }
}
