import { randomUUID } from 'node:crypto';
import { Injectable, Logger, Optional } from '@nestjs/common';
import {
  apiKeyActor,
  type AuditDetails,
  AuditLog,
  type AuthContext,
  requireAuditLog,
} from '@sealpost/core';
import { DataSource, type EntityManager } from 'typeorm';
import { type DefinitionProblem } from '../definitions/definition-problem';
import { validateDefinition } from '../definitions/definition-validator';
import { type WorkflowDefinition } from '../definitions/workflow-definition';
import { invalidDefinition, workflowArchived, workflowNotFound } from './workflow-errors';
import {
  type CreateWorkflowCommand,
  toWorkflowView,
  type UpdateWorkflowCommand,
  type WorkflowRow,
  type WorkflowStatus,
  type WorkflowView,
} from './workflow-views';
import { WorkflowsRepository } from './workflows.repository';

/**
 * Workflows and their versions. Editing the definition publishes a new immutable version;
 * enrollments keep the version they started on (the engine reads theirs, never the current).
 */
@Injectable()
export class WorkflowsService {
  private readonly logger = new Logger(WorkflowsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly workflows: WorkflowsRepository,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async create(caller: AuthContext, command: CreateWorkflowCommand): Promise<WorkflowView> {
    const id = randomUUID();
    const definition = await this.checkedDefinition(caller, id, command.definition);

    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (manager) => {
      await this.workflows.insert(
        manager,
        caller.organisationId,
        command.name,
        command.settings,
        definition,
        id,
      );
      await audit.append(manager, auditEntry(caller, id, 'workflow.created', { version: 1 }));
    });
    this.logger.log({ organisationId: caller.organisationId, workflowId: id }, 'workflow created');
    return this.get(caller, id);
  }

  async get(caller: AuthContext, id: string): Promise<WorkflowView> {
    const row = await this.workflows.find(caller.organisationId, id);
    if (!row) {
      throw workflowNotFound();
    }
    return toWorkflowView(row);
  }

  async list(caller: AuthContext): Promise<WorkflowView[]> {
    return (await this.workflows.list(caller.organisationId)).map(toWorkflowView);
  }

  async getVersion(caller: AuthContext, id: string, version: number): Promise<WorkflowDefinition> {
    const definition = await this.workflows.findVersion(caller.organisationId, id, version);
    if (!definition) {
      throw workflowNotFound();
    }
    return definition;
  }

  /** Name and settings change in place; a new definition becomes the next version. */
  async update(
    caller: AuthContext,
    id: string,
    command: UpdateWorkflowCommand,
  ): Promise<WorkflowView> {
    const definition =
      command.definition === undefined
        ? undefined
        : await this.checkedDefinition(caller, id, command.definition);

    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (manager) => {
      const row = await this.lockedEditable(manager, caller, id);
      const version = definition ? row.current_version + 1 : row.current_version;
      if (definition) {
        await this.workflows.insertVersion(manager, caller.organisationId, id, version, definition);
      }
      await this.workflows.update(manager, caller.organisationId, id, {
        name: command.name ?? row.name,
        settings: {
          senderName: row.sender_name,
          senderAddress: row.sender_address,
          replyTo: row.reply_to,
          priority: row.priority,
          ...definedOnly(command.settings ?? {}),
        },
        version,
      });
      const action = definition ? 'workflow.published' : 'workflow.edited';
      await audit.append(manager, auditEntry(caller, id, action, { version }));
      this.logger.log(
        { organisationId: caller.organisationId, workflowId: id, version },
        definition ? 'workflow version published' : 'workflow settings changed',
      );
    });
    return this.get(caller, id);
  }

  /** Stops taking steps; due work waits in PostgreSQL until resume. */
  pause(caller: AuthContext, id: string): Promise<WorkflowView> {
    return this.changeStatus(caller, id, 'paused');
  }

  resume(caller: AuthContext, id: string): Promise<WorkflowView> {
    return this.changeStatus(caller, id, 'active');
  }

  /** Ends for good: every contact still in it leaves, recorded as archived. */
  archive(caller: AuthContext, id: string): Promise<WorkflowView> {
    return this.changeStatus(caller, id, 'archived');
  }

  private async changeStatus(
    caller: AuthContext,
    id: string,
    status: WorkflowStatus,
  ): Promise<WorkflowView> {
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (manager) => {
      await this.lockedEditable(manager, caller, id);
      await this.workflows.setStatus(manager, caller.organisationId, id, status);
      if (status === 'archived') {
        await manager.query(
          `UPDATE workflow_enrollments SET state = 'left', ended_reason = 'archived',
             due_at = NULL, revision = revision + 1, updated_at = now()
           WHERE organisation_id = $1 AND workflow_id = $2 AND state IN ('active', 'waiting')`,
          [caller.organisationId, id],
        );
      }
      await audit.append(manager, auditEntry(caller, id, STATUS_ACTIONS[status], {}));
    });
    this.logger.log(
      { organisationId: caller.organisationId, workflowId: id, status },
      'workflow status changed',
    );
    return this.get(caller, id);
  }

  private async lockedEditable(
    manager: EntityManager,
    caller: AuthContext,
    id: string,
  ): Promise<WorkflowRow> {
    const row = await this.workflows.find(caller.organisationId, id, manager, true);
    if (!row) {
      throw workflowNotFound();
    }
    if (row.status === 'archived') {
      throw workflowArchived();
    }
    return row;
  }

  /** The validator's problems, plus Go To targets in other workflows of the organisation. */
  private async checkedDefinition(
    caller: AuthContext,
    ownId: string,
    input: unknown,
  ): Promise<WorkflowDefinition> {
    const result = validateDefinition(input);
    if (!result.ok) {
      throw invalidDefinition(result.problems);
    }
    const problems = await this.foreignTargetProblems(caller, ownId, result.definition);
    if (problems.length) {
      throw invalidDefinition(problems);
    }
    return result.definition;
  }

  private async foreignTargetProblems(
    caller: AuthContext,
    ownId: string,
    definition: WorkflowDefinition,
  ): Promise<DefinitionProblem[]> {
    const problems: DefinitionProblem[] = [];
    for (const [index, step] of definition.steps.entries()) {
      if (step.type !== 'goto' || !step.workflowId) {
        continue;
      }
      const target =
        step.workflowId === ownId
          ? definition
          : (await this.workflows.find(caller.organisationId, step.workflowId))?.definition;
      if (!target?.steps.some((candidate) => candidate.id === step.target)) {
        problems.push({
          code: 'unknown_target',
          stepId: step.id,
          path: `definition.steps[${index}].target`,
          message: 'names no step of the current version of that workflow',
        });
      }
    }
    return problems;
  }
}

const STATUS_ACTIONS: Record<WorkflowStatus, string> = {
  active: 'workflow.resumed',
  paused: 'workflow.paused',
  archived: 'workflow.archived',
};

function auditEntry(caller: AuthContext, id: string, action: string, details: AuditDetails) {
  return {
    organisationId: caller.organisationId,
    actor: apiKeyActor(caller),
    action,
    target: { type: 'workflow', id },
    details,
  };
}

/** A partial update names only what changes; an absent (undefined) key keeps its value. */
function definedOnly<T extends object>(partial: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(partial).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
