import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Every message event (accepted, delivered, failed, opened, clicked, portal views and
 * downloads) enters the audit chain. Appending on the delivery path would make every
 * delivery of an organisation wait on that organisation's chain head, so a statement-level
 * trigger queues the event ids in the writer's own transaction (nothing committed is ever
 * missed) and a batched job in the worker chains them moments later.
 */
export class QueueAuditEvents1796313600053 implements MigrationInterface {
  name = 'QueueAuditEvents1796313600053';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_event_queue (
        event_id bigint PRIMARY KEY,
        organisation_id uuid NOT NULL
      )`);
    await queryRunner.query(`
      CREATE FUNCTION audit_queue_message_events() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO audit_event_queue (event_id, organisation_id)
        SELECT id, organisation_id FROM new_audit_events;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER message_events_audit_queue
        AFTER INSERT ON message_events
        REFERENCING NEW TABLE AS new_audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_queue_message_events()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER message_events_audit_queue ON message_events`);
    await queryRunner.query(`DROP FUNCTION audit_queue_message_events()`);
    await queryRunner.query(`DROP TABLE audit_event_queue`);
  }
}
