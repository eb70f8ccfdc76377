import { type WorkflowDefinition } from '../definitions/workflow-definition';

export type WorkflowStatus = 'active' | 'paused' | 'archived';

/** How a workflow's emails go out. The sender's address must pass parseMailbox. */
export interface WorkflowSettings {
  senderName: string | null;
  senderAddress: string;
  replyTo: string | null;
  /** Higher runs first when more work is due than one scheduler pass takes. */
  priority: number;
}

export interface WorkflowView {
  id: string;
  name: string;
  status: WorkflowStatus;
  version: number;
  settings: WorkflowSettings;
  definition: WorkflowDefinition;
  createdAt: string;
  updatedAt: string;
}

export interface CreateWorkflowCommand {
  name: string;
  settings: WorkflowSettings;
  /** Untrusted: checked by validateDefinition before anything is stored. */
  definition: unknown;
}

export interface UpdateWorkflowCommand {
  name?: string;
  settings?: Partial<WorkflowSettings>;
  /** When given, published as the next version; enrolled contacts stay on theirs. */
  definition?: unknown;
}

export interface WorkflowRow {
  id: string;
  name: string;
  status: WorkflowStatus;
  current_version: number;
  sender_name: string | null;
  sender_address: string;
  reply_to: string | null;
  priority: number;
  definition: WorkflowDefinition;
  created_at: Date;
  updated_at: Date;
}

export function toWorkflowView(row: WorkflowRow): WorkflowView {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    version: row.current_version,
    settings: {
      senderName: row.sender_name,
      senderAddress: row.sender_address,
      replyTo: row.reply_to,
      priority: row.priority,
    },
    definition: row.definition,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
