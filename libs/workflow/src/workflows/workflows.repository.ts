import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type WorkflowDefinition } from '../definitions/workflow-definition';
import { type WorkflowRow, type WorkflowSettings, type WorkflowStatus } from './workflow-views';

const SELECT_WORKFLOW = `
  SELECT w.id, w.name, w.status, w.current_version, w.sender_name, w.sender_address,
         w.reply_to, w.priority, w.created_at, w.updated_at, v.definition
    FROM workflows w
    JOIN workflow_versions v ON v.workflow_id = w.id AND v.version = w.current_version`;

/** Workflows and their versions; every query is bound to one organisation. */
@Injectable()
export class WorkflowsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(
    organisationId: string,
    id: string,
    manager: EntityManager = this.dataSource.manager,
    lock = false,
  ): Promise<WorkflowRow | null> {
    const locking = lock ? ' FOR UPDATE OF w' : '';
    const rows = await manager.query<WorkflowRow[]>(
      `${SELECT_WORKFLOW} WHERE w.organisation_id = $1 AND w.id = $2${locking}`,
      [organisationId, id],
    );
    return rows[0] ?? null;
  }

  list(organisationId: string): Promise<WorkflowRow[]> {
    return this.dataSource.query<WorkflowRow[]>(
      `${SELECT_WORKFLOW} WHERE w.organisation_id = $1 ORDER BY w.created_at, w.id`,
      [organisationId],
    );
  }

  async findVersion(
    organisationId: string,
    workflowId: string,
    version: number,
  ): Promise<WorkflowDefinition | null> {
    const rows = await this.dataSource.query<{ definition: WorkflowDefinition }[]>(
      `SELECT definition FROM workflow_versions
        WHERE organisation_id = $1 AND workflow_id = $2 AND version = $3`,
      [organisationId, workflowId, version],
    );
    return rows[0]?.definition ?? null;
  }

  async insert(
    manager: EntityManager,
    organisationId: string,
    name: string,
    settings: WorkflowSettings,
    definition: WorkflowDefinition,
    id: string = randomUUID(),
  ): Promise<string> {
    await manager.query(
      `INSERT INTO workflows (id, organisation_id, name, status, current_version, sender_name,
         sender_address, reply_to, priority)
       VALUES ($1, $2, $3, 'active', 1, $4, $5, $6, $7)`,
      [
        id,
        organisationId,
        name,
        settings.senderName,
        settings.senderAddress,
        settings.replyTo,
        settings.priority,
      ],
    );
    await this.insertVersion(manager, organisationId, id, 1, definition);
    return id;
  }

  insertVersion(
    manager: EntityManager,
    organisationId: string,
    workflowId: string,
    version: number,
    definition: WorkflowDefinition,
  ): Promise<unknown> {
    return manager.query(
      `INSERT INTO workflow_versions (organisation_id, workflow_id, version, definition)
       VALUES ($1, $2, $3, $4)`,
      [organisationId, workflowId, version, definition],
    );
  }

  update(
    manager: EntityManager,
    organisationId: string,
    id: string,
    fields: { name: string; settings: WorkflowSettings; version: number },
  ): Promise<unknown> {
    const { name, settings, version } = fields;
    return manager.query(
      `UPDATE workflows SET name = $3, sender_name = $4, sender_address = $5, reply_to = $6,
         priority = $7, current_version = $8, updated_at = date_trunc('milliseconds', now())
       WHERE organisation_id = $1 AND id = $2`,
      [
        organisationId,
        id,
        name,
        settings.senderName,
        settings.senderAddress,
        settings.replyTo,
        settings.priority,
        version,
      ],
    );
  }

  async setStatus(
    manager: EntityManager,
    organisationId: string,
    id: string,
    status: WorkflowStatus,
  ): Promise<void> {
    await manager.query(
      `UPDATE workflows SET status = $3, updated_at = date_trunc('milliseconds', now())
        WHERE organisation_id = $1 AND id = $2`,
      [organisationId, id, status],
    );
  }
}
