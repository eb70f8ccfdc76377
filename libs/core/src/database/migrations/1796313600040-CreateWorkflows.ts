import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateWorkflows1796313600040 implements MigrationInterface {
  name = 'CreateWorkflows1796313600040';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE workflows (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        name text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'paused', 'archived')),
        current_version integer NOT NULL,
        sender_name text,
        sender_address text NOT NULL,
        reply_to text,
        -- Higher first when the scheduler has more due work than it takes in one pass.
        priority integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        CONSTRAINT workflows_org_id_unique UNIQUE (organisation_id, id)
      )`);
    await queryRunner.query(
      `CREATE INDEX workflows_listing_idx ON workflows (organisation_id, created_at, id)`,
    );
    // Versions are immutable: an edit adds one, and enrollments keep the one they began on.
    await queryRunner.query(`
      CREATE TABLE workflow_versions (
        organisation_id uuid NOT NULL,
        workflow_id uuid NOT NULL,
        version integer NOT NULL,
        definition jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        PRIMARY KEY (workflow_id, version),
        FOREIGN KEY (organisation_id, workflow_id)
          REFERENCES workflows (organisation_id, id) ON DELETE CASCADE
      )`);
    // One row per contact and workflow, ever: the unique key is the no-re-entry rule.
    // due_at is the whole schedule: whatever Redis holds is rebuilt from it. Trigger data
    // may hold PHI (appointment times), so it is sealed like message bodies.
    await queryRunner.query(`
      CREATE TABLE workflow_enrollments (
        id uuid PRIMARY KEY,
        organisation_id uuid NOT NULL,
        workflow_id uuid NOT NULL,
        version integer NOT NULL,
        contact_id uuid NOT NULL,
        state text NOT NULL CHECK (state IN ('active', 'waiting', 'completed', 'left', 'failed')),
        current_step text,
        revision integer NOT NULL DEFAULT 0,
        due_at timestamptz,
        enqueued_at timestamptz,
        wait_started_at timestamptz,
        wait_timeout_at timestamptz,
        visited text[] NOT NULL DEFAULT '{}',
        ended_reason text,
        trigger_ciphertext bytea,
        trigger_wrapped_key bytea,
        trigger_key_id text,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        CONSTRAINT workflow_enrollments_once UNIQUE (workflow_id, contact_id),
        FOREIGN KEY (workflow_id, version)
          REFERENCES workflow_versions (workflow_id, version) ON DELETE CASCADE,
        FOREIGN KEY (organisation_id, workflow_id)
          REFERENCES workflows (organisation_id, id) ON DELETE CASCADE,
        FOREIGN KEY (organisation_id, contact_id)
          REFERENCES contacts (organisation_id, id) ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE INDEX workflow_enrollments_due_idx ON workflow_enrollments (due_at)
         WHERE state IN ('active', 'waiting')`,
    );
    await queryRunner.query(
      `CREATE INDEX workflow_enrollments_contact_idx
         ON workflow_enrollments (organisation_id, contact_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX workflow_enrollments_step_idx
         ON workflow_enrollments (workflow_id, current_step) WHERE state IN ('active', 'waiting')`,
    );
    // One row per step an enrollment went through. The primary key makes each step's effect
    // (above all a send) happen once per visit, however often a job is retried.
    await queryRunner.query(`
      CREATE TABLE workflow_step_runs (
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        enrollment_id uuid NOT NULL REFERENCES workflow_enrollments (id) ON DELETE CASCADE,
        step_id text NOT NULL,
        visit integer NOT NULL,
        workflow_id uuid NOT NULL,
        version integer NOT NULL,
        outcome text NOT NULL,
        message_id uuid,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        PRIMARY KEY (enrollment_id, step_id, visit)
      )`);
    await queryRunner.query(
      `CREATE INDEX workflow_step_runs_stats_idx ON workflow_step_runs (workflow_id, step_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE workflow_step_runs`);
    await queryRunner.query(`DROP TABLE workflow_enrollments`);
    await queryRunner.query(`DROP TABLE workflow_versions`);
    await queryRunner.query(`DROP TABLE workflows`);
  }
}
