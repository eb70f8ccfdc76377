import { Injectable } from '@nestjs/common';
import { type AuthContext } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { type StepType } from '../definitions/workflow-definition';
import { WorkflowsService } from '../workflows/workflows.service';

export interface StepStats {
  stepId: string;
  /** Null for a step only older versions have. */
  type: StepType | null;
  /** Contacts at this step now (running or waiting). */
  active: number;
  /** Contacts that went through this step, in total. */
  processed: number;
  /** How they left it: sent, waited, event, timed_out, branch_1..n, fallback, loop_stopped... */
  outcomes: Record<string, number>;
}

export interface WorkflowStats {
  workflowId: string;
  version: number;
  enrollments: { total: number; active: number; completed: number; left: number; failed: number };
  /** Endings by reason: completed, unsubscribed, loop_stopped, moved, archived, failures. */
  endings: Record<string, number>;
  steps: StepStats[];
}

/**
 * Counts per step, derived from enrollments (where contacts are) and step runs (what each
 * step did), so they can never drift from what happened. All versions count together: a
 * step keeps its id across versions.
 */
@Injectable()
export class WorkflowStatsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly workflows: WorkflowsService,
  ) {}

  async get(caller: AuthContext, workflowId: string): Promise<WorkflowStats> {
    const workflow = await this.workflows.get(caller, workflowId);
    const organisationId = caller.organisationId;
    const [states, active, runs] = await Promise.all([
      this.dataSource.query<{ state: string; reason: string | null; count: number }[]>(
        `SELECT state, ended_reason AS reason, count(*)::int AS count FROM workflow_enrollments
          WHERE organisation_id = $1 AND workflow_id = $2 GROUP BY state, ended_reason`,
        [organisationId, workflowId],
      ),
      this.dataSource.query<{ step: string; count: number }[]>(
        `SELECT current_step AS step, count(*)::int AS count FROM workflow_enrollments
          WHERE organisation_id = $1 AND workflow_id = $2 AND state IN ('active', 'waiting')
          GROUP BY current_step`,
        [organisationId, workflowId],
      ),
      this.dataSource.query<{ step: string; outcome: string; count: number }[]>(
        `SELECT step_id AS step, outcome, count(*)::int AS count FROM workflow_step_runs
          WHERE organisation_id = $1 AND workflow_id = $2 GROUP BY step_id, outcome`,
        [organisationId, workflowId],
      ),
    ]);

    const steps = new Map<string, StepStats>();
    const statsOf = (stepId: string): StepStats => {
      let stats = steps.get(stepId);
      if (!stats) {
        stats = { stepId, type: null, active: 0, processed: 0, outcomes: {} };
        steps.set(stepId, stats);
      }
      return stats;
    };
    for (const step of workflow.definition.steps) {
      statsOf(step.id).type = step.type;
    }
    for (const row of active) {
      statsOf(row.step).active += row.count;
    }
    for (const row of runs) {
      const stats = statsOf(row.step);
      stats.processed += row.count;
      stats.outcomes[row.outcome] = (stats.outcomes[row.outcome] ?? 0) + row.count;
    }
    return {
      workflowId,
      version: workflow.version,
      enrollments: enrollmentTotals(states),
      endings: endingsOf(states),
      steps: [...steps.values()],
    };
  }
}

function enrollmentTotals(
  states: { state: string; count: number }[],
): WorkflowStats['enrollments'] {
  const totals = { total: 0, active: 0, completed: 0, left: 0, failed: 0 };
  for (const row of states) {
    totals.total += row.count;
    const key = row.state === 'waiting' ? 'active' : row.state;
    if (key === 'active' || key === 'completed' || key === 'left' || key === 'failed') {
      totals[key] += row.count;
    }
  }
  return totals;
}

function endingsOf(states: { reason: string | null; count: number }[]): Record<string, number> {
  const endings: Record<string, number> = {};
  for (const row of states) {
    if (row.reason !== null) {
      endings[row.reason] = (endings[row.reason] ?? 0) + row.count;
    }
  }
  return endings;
}
