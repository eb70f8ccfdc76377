import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A sent Gmail message without the gateway's stamp may still be on its way to the gateway
 * (the Sent copy is stored before Gmail routes the message), so its check can stay undecided
 * (through_gateway NULL) until decide_after, when the gateway's receipt should exist.
 */
export class AllowUndecidedGoogleSentChecks1796313600181 implements MigrationInterface {
  name = 'AllowUndecidedGoogleSentChecks1796313600181';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE google_sent_checks
        ALTER COLUMN through_gateway DROP NOT NULL,
        ADD COLUMN decide_after timestamptz`);
    await queryRunner.query(
      `CREATE INDEX google_sent_checks_undecided_idx ON google_sent_checks (decide_after)
        WHERE through_gateway IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX google_sent_checks_undecided_idx`);
    await queryRunner.query(`DELETE FROM google_sent_checks WHERE through_gateway IS NULL`);
    await queryRunner.query(`
      ALTER TABLE google_sent_checks
        DROP COLUMN decide_after,
        ALTER COLUMN through_gateway SET NOT NULL`);
  }
}
