import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Every insert into message_events, whoever writes it, fans out to the matching enabled
 * endpoints in the same transaction (outbox style): an event is never lost, and never sent
 * before it commits. A statement-level trigger runs once per INSERT statement, however many
 * rows it writes, and returns after one index probe when no endpoint is enabled, so the
 * delivery path pays next to nothing on installs without webhooks.
 */
export class CreateWebhookFanOut1796313600063 implements MigrationInterface {
  name = 'CreateWebhookFanOut1796313600063';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION webhook_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) THEN
          RETURN NULL;
        END IF;
        INSERT INTO webhook_deliveries (organisation_id, endpoint_id, event_id, event_type)
        SELECT t.organisation_id, w.id, t.id, t.webhook_type
          FROM (SELECT e.id, e.organisation_id,
                       CASE WHEN strpos(e.type, '.') > 0 THEN e.type
                            ELSE 'message.' || e.type END AS webhook_type
                  FROM new_events e) t
          JOIN webhook_endpoints w ON w.organisation_id = t.organisation_id AND w.enabled
         WHERE cardinality(w.event_types) = 0
            OR t.webhook_type = ANY (w.event_types)
            OR split_part(t.webhook_type, '.', 1) || '.*' = ANY (w.event_types);
        IF FOUND THEN
          PERFORM pg_notify('sealpost_webhooks', '');
        END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER message_events_webhook_fan_out
        AFTER INSERT ON message_events
        REFERENCING NEW TABLE AS new_events
        FOR EACH STATEMENT EXECUTE FUNCTION webhook_fan_out()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER message_events_webhook_fan_out ON message_events`);
    await queryRunner.query(`DROP FUNCTION webhook_fan_out()`);
  }
}
