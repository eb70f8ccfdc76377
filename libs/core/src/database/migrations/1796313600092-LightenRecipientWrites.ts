import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class LightenRecipientWrites1796313600092 implements MigrationInterface {
  name = 'LightenRecipientWrites1796313600092';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The report index leads with message_id too, so it answers every lookup by message; the
    // plain one only cost an extra index entry on each insert and non-HOT update of a copy.
    await queryRunner.query(`DROP INDEX message_recipients_message_idx`);
    // A copy is updated twice right after it is inserted (claimed, then its outcome). Room left
    // on each page lets the claim, which touches no indexed column, stay a HOT update.
    await queryRunner.query(`ALTER TABLE message_recipients SET (fillfactor = 80)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE message_recipients RESET (fillfactor)`);
    await queryRunner.query(
      `CREATE INDEX message_recipients_message_idx ON message_recipients (message_id)`,
    );
  }
}
