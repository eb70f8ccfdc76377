import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The hash-chained audit log (libs/audit/README.md): one chain per organisation, its head in
 * audit_chain_heads. Appends lock the head row, so two processes never fork a chain. Records
 * reference their organisation without a cascade: an organisation with an audit trail cannot
 * be deleted by accident.
 */
export class CreateAuditRecords1796313600050 implements MigrationInterface {
  name = 'CreateAuditRecords1796313600050';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_records (
        organisation_id uuid NOT NULL REFERENCES organisations (id),
        sequence bigint NOT NULL CHECK (sequence > 0),
        recorded_at timestamptz NOT NULL,
        actor_type text NOT NULL,
        actor_id text NOT NULL,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text NOT NULL,
        outcome text NOT NULL,
        details jsonb NOT NULL,
        previous_hash bytea NOT NULL,
        hash bytea NOT NULL,
        PRIMARY KEY (organisation_id, sequence)
      )`);
    await queryRunner.query(
      `CREATE INDEX audit_records_time_idx ON audit_records (organisation_id, recorded_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX audit_records_action_idx ON audit_records (organisation_id, action, sequence)`,
    );
    await queryRunner.query(`
      CREATE TABLE audit_chain_heads (
        organisation_id uuid PRIMARY KEY REFERENCES organisations (id),
        sequence bigint NOT NULL,
        hash bytea NOT NULL,
        checkpoint_sequence bigint NOT NULL DEFAULT 0,
        checkpoint_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_chain_heads`);
    await queryRunner.query(`DROP TABLE audit_records`);
  }
}
