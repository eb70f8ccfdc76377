import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SealpostError } from '@sealpost/core';
import { AcceptMessageUseCase, type SendMessageCommand } from '@sealpost/messaging';
import { type SendEmailStep } from '../definitions/workflow-definition';
import { TemplateError } from '../templates/template-error';
import { TemplateRenderService } from '../templates/template-render.service';
import { type StepContext } from './step-context';
import { type Transition } from './transition';

/**
 * Send Email: renders the template for the contact and hands the message to the same
 * accept path as the API, so the encryption policy decides its protection at delivery.
 */
@Injectable()
export class SendEmailStepRunner {
  constructor(
    private readonly templates: TemplateRenderService,
    private readonly accept: AcceptMessageUseCase,
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

    // One key per enrollment, step and visit: a retried job, or one that ran after a crash
    // between this accept and the enrollment's commit, gets the first message back.
    const key = `workflow:${enrollment.id}:${step.id}:${context.visit}`;
    const caller = {
      organisationId: enrollment.organisation_id,
      apiKeyId: `workflow:${enrollment.workflow_id}`,
      scopes: ['messages:send' as const],
    };
    try {
      const { message } = await this.accept.execute(caller, command, {
        key,
        requestHash: createHash('sha256').update(key).digest('hex'),
      });
      return { kind: 'move', outcome: 'sent', next: step.next, messageId: message.id };
    } catch (error) {
      if (error instanceof SealpostError) {
        return failure(error);
      }
      throw error;
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
