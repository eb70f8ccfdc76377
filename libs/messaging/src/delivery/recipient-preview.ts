import { type PlanFacts, type ProtectionPlanner } from './protection-planner';

/** What a recipient would get now, and why: the preview shown to senders and add-ins. */
export interface RecipientPreview {
  address: string;
  method: string;
  action: 'send' | 'drop';
  reasons: string[];
  protectionRequired: boolean;
  protectionReasons: string[];
}

/**
 * Plans each recipient as delivery would, without sending anything. Reasons name rules,
 * detectors and methods, never the message's text, so they are safe to show.
 */
export function previewRecipients(
  planner: ProtectionPlanner,
  facts: Omit<PlanFacts, 'recipient'>,
  recipients: readonly { address: string; domain: string }[],
): Promise<RecipientPreview[]> {
  return Promise.all(
    recipients.map(async ({ address, domain }) => {
      const plan = await planner.plan({ ...facts, recipient: { address, domain } });
      return {
        address,
        method: plan.decision.method,
        action: plan.decision.action,
        reasons: [...plan.decision.reasons],
        protectionRequired: plan.protectionRequired,
        protectionReasons: [...plan.protectionReasons],
      };
    }),
  );
}
