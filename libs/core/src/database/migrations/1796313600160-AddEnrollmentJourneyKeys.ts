import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A journey key lets one contact hold several journeys in one workflow when each belongs to
 * something outside Sealpost (an EHR appointment: one reminder journey per appointment).
 * Without a key the rule stays one enrollment per contact and workflow, ever: NULLS NOT
 * DISTINCT makes two keyless rows of a contact collide exactly as before.
 */
export class AddEnrollmentJourneyKeys1796313600160 implements MigrationInterface {
  name = 'AddEnrollmentJourneyKeys1796313600160';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE workflow_enrollments ADD COLUMN journey_key text`);
    await queryRunner.query(
      `ALTER TABLE workflow_enrollments DROP CONSTRAINT workflow_enrollments_once`,
    );
    await queryRunner.query(
      `ALTER TABLE workflow_enrollments ADD CONSTRAINT workflow_enrollments_once
         UNIQUE NULLS NOT DISTINCT (workflow_id, contact_id, journey_key)`,
    );
    // Cancellations and reschedules find a journey by its key alone.
    await queryRunner.query(
      `CREATE INDEX workflow_enrollments_journey_key_idx
         ON workflow_enrollments (organisation_id, journey_key) WHERE journey_key IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX workflow_enrollments_journey_key_idx`);
    await queryRunner.query(`DELETE FROM workflow_enrollments WHERE journey_key IS NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE workflow_enrollments DROP CONSTRAINT workflow_enrollments_once`,
    );
    await queryRunner.query(`ALTER TABLE workflow_enrollments DROP COLUMN journey_key`);
    await queryRunner.query(
      `ALTER TABLE workflow_enrollments ADD CONSTRAINT workflow_enrollments_once
         UNIQUE (workflow_id, contact_id)`,
    );
  }
}
