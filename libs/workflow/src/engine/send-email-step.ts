import { Injectable } from '@nestjs/common';
import { SealpostError } from '@sealpost/core';
import { AcceptMessageBatch, type SendMessageCommand } from '@sealpost/messaging';
import { type SendEmailStep } from '../definitions/workflow-definition';
import { TemplateError } from '../templates/template-error';
import { TemplateRenderService } from '../templates/template-render.service';
import { type StepContext } from './step-context';
import { type Transition } from './transition';

/**
 * Send Email: renders the template for the contact and prepares the message for the same
 * accept path as the API (the runner accepts it with the step), so the encryption policy
 * decides its protection at delivery. Failures the message checks find stay with the contact.
 */
@Injectable()
export class SendEmailStepRunner {
  constructor(
    private readonly templates: TemplateRenderService,
    private readonly accept: AcceptMessageBatch,
  ) {}

  async run(step: SendEmailStep, context: StepContext): Promise<Transition> {
    const { enrollment, contact } = context;
    if (contact.unsubscribedAt !== null) {
      return { kind: 'end', outcome: 'unsubscribed', state: 'left', reason: 'unsubscribed' };
    }

    let command: SendMessageCommand;
    try {
      command = await this.compose(step, context);
    } catch (error) {
      return failure(error);
    }

    // One key per enrollment, step and visit: a retried job, or one that runs again after a
    // crash, gets the first message back.
    const idempotencyKey = `workflow:${enrollment.id}:${step.id}:${context.visit}`;
    try {
      const prepared = this.accept.prepare(enrollment.organisation_id, command);
      return { kind: 'move', outcome: 'sent', next: step.next, send: { idempotencyKey, prepared } };
    } catch (error) {
      return failure(error);
    }
  }

  private async compose(step: SendEmailStep, context: StepContext): Promise<SendMessageCommand> {
    const { enrollment, contact, settings } = context;
    const rendered = await this.templates.render(enrollment.organisation_id, step.templateId, {
      contact,
      trigger: context.trigger,
    });
    return {
      from: settings.senderName
        ? `${JSON.stringify(settings.senderName)} <${settings.senderAddress}>`
        : settings.senderAddress,
      to: [contact.email],
      cc: [],
      bcc: [],
      ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
      subject: rendered.subject,
      ...(rendered.text !== undefined ? { text: rendered.text } : {}),
      ...(rendered.html !== undefined ? { html: rendered.html } : {}),
      headers: {},
      attachments: [],
      tags: ['workflow'],
      metadata: {
        workflowId: enrollment.workflow_id,
        workflowVersion: String(enrollment.version),
        stepId: step.id,
        enrollmentId: enrollment.id,
        contactId: contact.id,
        // An EHR-triggered journey (an appointment reminder) names the resource that caused
        // it, so the Communication charted for this message gets its basedOn.
        ...(typeof context.trigger.fhirBasedOn === 'string'
          ? { fhirBasedOn: context.trigger.fhirBasedOn }
          : {}),
      },
    };
  }
}

/**
 * A contact this step cannot serve (a missing template value, an address the message
 * checks refuse) fails alone, with the code and the variable path as its recorded reason.
 */
function failure(error: unknown): Transition {
  if (error instanceof TemplateError) {
    return {
      kind: 'end',
      outcome: 'failed',
      state: 'failed',
      reason: `${error.code}:${error.path}`,
    };
  }
  if (error instanceof SealpostError) {
    return { kind: 'end', outcome: 'failed', state: 'failed', reason: error.code };
  }
  throw error;
}
