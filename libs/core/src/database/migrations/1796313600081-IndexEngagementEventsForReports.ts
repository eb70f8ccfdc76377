import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class IndexEngagementEventsForReports1796313600081 implements MigrationInterface {
  name = 'IndexEngagementEventsForReports1796313600081';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Reports count engagement and portal events of one organisation in a date range. Only
    // these types are indexed (delivery events are counted from recipients), and type and
    // message id are included so the counts come from the index alone.
    await queryRunner.query(`
      CREATE INDEX message_events_report_idx
          ON message_events (organisation_id, created_at)
     INCLUDE (type, message_id)
       WHERE type IN ('opened', 'clicked', 'portal.viewed', 'portal.downloaded',
                      'portal.replied', 'portal.locked')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX message_events_report_idx`);
  }
}
