import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateOutbox1796313600002 implements MigrationInterface {
  name = 'CreateOutbox1796313600002';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per unit of work that must reach the queue. A row stays until its work is
    // finished, so a lost queue (Redis flushed, a crash before enqueue) is found again.
    await queryRunner.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
        topic text NOT NULL,
        ref_id uuid NOT NULL,
        available_at timestamptz NOT NULL DEFAULT now(),
        enqueued_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT outbox_ref_unique UNIQUE (topic, ref_id)
      )`);
    await queryRunner.query(`CREATE INDEX outbox_due_idx ON outbox (available_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE outbox`);
  }
}
