import { ErrorCode } from '@sealpost/core';
import { CompiledTemplate } from './compiled-template';
import { TemplateError } from './template-error';
import { type TemplateContact } from './template-parts';

function aContact(overrides: Partial<TemplateContact> = {}): TemplateContact {
  return {
    id: 'c-1',
    email: 'jane@example.test',
    name: 'Jane <Doe> & Co',
    timeZone: 'UTC',
    fields: {},
    ...overrides,
  };
}

function errorOf(action: () => unknown): TemplateError {
  try {
    action();
  } catch (error) {
    if (error instanceof TemplateError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a TemplateError');
}

describe('CompiledTemplate', () => {
  it('escapes HTML in the html part and not in subject or text', () => {
    const template = new CompiledTemplate({
      subject: 'For {{contact.name}}',
      text: 'Dear {{contact.name}}',
      html: '<p>Dear {{contact.name}}</p>',
    });

    const rendered = template.render({ contact: aContact() });

    expect(rendered).toEqual({
      subject: 'For Jane <Doe> & Co',
      text: 'Dear Jane <Doe> & Co',
      html: '<p>Dear Jane &lt;Doe&gt; &amp; Co</p>',
    });
  });

  it('fails with the path, never the value, when a referenced value is missing', () => {
    const template = new CompiledTemplate({ subject: 'Hi', text: 'Plan {{contact.fields.plan}}' });

    const error = errorOf(() => template.render({ contact: aContact({ fields: {} }) }));

    expect(error.code).toBe(ErrorCode.MissingValue);
    expect(error.path).toBe('contact.fields.plan');
    expect(error.message).toContain('contact.fields.plan');
  });

  it('treats null and empty values as missing, never as a blank', () => {
    const template = new CompiledTemplate({ subject: 'Dear {{contact.name}}', text: 'x' });

    expect(errorOf(() => template.render({ contact: aContact({ name: null }) })).path).toBe(
      'contact.name',
    );
    expect(errorOf(() => template.render({ contact: aContact({ name: '' }) })).code).toBe(
      ErrorCode.MissingValue,
    );
  });

  it('checks only the branch the contact takes', () => {
    const template = new CompiledTemplate({
      subject: 'Hi',
      text: '{{#if contact.fields.plan}}Plan {{contact.fields.plan}}{{else}}No plan{{/if}}',
    });

    expect(template.render({ contact: aContact() }).text).toBe('No plan');
    expect(template.render({ contact: aContact({ fields: { plan: 'Gold' } }) }).text).toBe(
      'Plan Gold',
    );
  });

  it('fails on a missing trigger value', () => {
    const template = new CompiledTemplate({ subject: 'Hi', text: 'At {{trigger.clinic.name}}' });

    expect(
      template.render({ contact: aContact(), trigger: { clinic: { name: 'North' } } }).text,
    ).toBe('At North');
    expect(errorOf(() => template.render({ contact: aContact(), trigger: {} })).path).toBe(
      'trigger.clinic.name',
    );
  });

  it('never reads inherited properties such as constructor', () => {
    const template = new CompiledTemplate({ subject: 'Hi', text: '{{trigger.constructor}}' });

    expect(errorOf(() => template.render({ contact: aContact(), trigger: {} })).code).toBe(
      ErrorCode.MissingValue,
    );
  });

  it('puts a subject on one line whatever the values hold', () => {
    const template = new CompiledTemplate({ subject: 'Re: {{trigger.topic}}', text: 'x' });

    const { subject } = template.render({
      contact: aContact(),
      trigger: { topic: 'a\r\nBcc: someone@example.test' },
    });

    expect(subject).toBe('Re: a Bcc: someone@example.test');
  });

  describe('formatDate', () => {
    const template = new CompiledTemplate({
      subject: 'Hi',
      text: '{{formatDate trigger.at "EEEE d MMMM yyyy, HH:mm ZZ"}}',
    });
    const render = (at: unknown, timeZone: string) =>
      template.render({ contact: aContact({ timeZone }), trigger: { at } }).text;

    it('formats an instant in the contact time zone', () => {
      expect(render('2026-07-02T16:30:00Z', 'America/Chicago')).toBe(
        'Thursday 2 July 2026, 11:30 -05:00',
      );
    });

    it('follows daylight saving time across the spring change in America/Chicago', () => {
      // 8 March 2026, 02:00 local: clocks go forward from CST (UTC-6) to CDT (UTC-5).
      expect(render('2026-03-08T07:59:00Z', 'America/Chicago')).toBe(
        'Sunday 8 March 2026, 01:59 -06:00',
      );
      expect(render('2026-03-08T08:00:00Z', 'America/Chicago')).toBe(
        'Sunday 8 March 2026, 03:00 -05:00',
      );
    });

    it('follows the autumn change in Europe/Berlin', () => {
      // 25 October 2026, 03:00 local: clocks go back from CEST (UTC+2) to CET (UTC+1).
      expect(render('2026-10-25T00:30:00Z', 'Europe/Berlin')).toBe(
        'Sunday 25 October 2026, 02:30 +02:00',
      );
      expect(render('2026-10-25T01:30:00Z', 'Europe/Berlin')).toBe(
        'Sunday 25 October 2026, 02:30 +01:00',
      );
      expect(render('2026-10-25T02:30:00Z', 'Europe/Berlin')).toBe(
        'Sunday 25 October 2026, 03:30 +01:00',
      );
    });

    it('keeps a calendar date on its day in any zone', () => {
      expect(render('2026-12-24', 'Pacific/Kiritimati')).toMatch(/^Thursday 24 December 2026/);
      expect(render('2026-12-24', 'Pacific/Pago_Pago')).toMatch(/^Thursday 24 December 2026/);
    });

    it('fails with invalid_value on a value that is not a date', () => {
      const error = errorOf(() => render('next tuesday', 'UTC'));

      expect(error.code).toBe(ErrorCode.InvalidValue);
      expect(error.path).toBe('trigger.at');
      expect(error.message).not.toContain('next tuesday');
    });

    it('fails with invalid_value on a contact time zone it does not know', () => {
      expect(errorOf(() => render('2026-01-01T00:00:00Z', 'Mars/Olympus')).path).toBe(
        'contact.timeZone',
      );
    });
  });
});
