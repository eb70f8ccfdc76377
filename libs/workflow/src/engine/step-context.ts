import { type ContactView } from '../contacts/contact-view';
import { type EngagementEvent } from './condition-evaluator';
import { type WorkflowSettings } from '../workflows/workflow-views';
import { type EnrollmentRow } from './transition';
import { type TriggerData } from './trigger-data';

/** Everything a step may read while it runs for one enrollment. */
export interface StepContext {
  enrollment: EnrollmentRow;
  contact: ContactView;
  trigger: TriggerData;
  settings: WorkflowSettings;
  /** When the contact last changed (Wait for Event on contact updates). */
  contactUpdatedAt: Date;
  now: Date;
  /** 1 the first time this enrollment is at this step. */
  visit: number;
  /** The enrollment's opens and clicks, read up front for its whole batch. */
  engagement: readonly EngagementEvent[];
}
