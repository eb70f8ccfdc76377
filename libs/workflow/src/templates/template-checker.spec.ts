import { checkTemplate } from './template-checker';

const FIELDS = new Set(['appointment_at', 'plan']);

describe('checkTemplate', () => {
  it('accepts contact variables, catalog fields, trigger data, #if, #unless and formatDate', () => {
    const problems = checkTemplate(
      {
        subject: 'Hello {{contact.name}}',
        text: '{{#if contact.fields.plan}}Plan {{contact.fields.plan}}{{/if}} {{trigger.clinic}}',
        html:
          '<p>{{formatDate contact.fields.appointment_at "EEEE d MMMM yyyy, HH:mm"}}</p>' +
          '{{#unless trigger.cancelled}}<p>{{contact.email}} {{contact.timeZone}}</p>{{/unless}}',
      },
      FIELDS,
    );

    expect(problems).toEqual([]);
  });

  it('lists every problem with its part and line', () => {
    const problems = checkTemplate(
      {
        subject: '{{patient.name}}',
        text: 'Line one\n{{contact.fields.allergy}} and {{contact.phone}}',
        html: '{{#each trigger.items}}x{{/each}}{{{contact.name}}}{{shout contact.name}}',
      },
      FIELDS,
    );

    expect(problems).toEqual([
      {
        path: 'subject',
        message:
          'line 1: patient.name is not a variable: variables start with contact. or trigger.',
      },
      {
        path: 'text',
        message: 'line 2: contact.fields.allergy is not a contact field of this organisation',
      },
      { path: 'text', message: expect.stringMatching(/^line 2: contact.phone is not a contact/) },
      { path: 'html', message: 'line 1: #each is not an allowed helper (allowed: #if, #unless)' },
      { path: 'html', message: expect.stringMatching(/^line 1: \{\{\{contact.name\}\}\} is not/) },
      { path: 'html', message: 'line 1: shout is not a helper (helpers: formatDate)' },
    ]);
  });

  it('reports a syntax error by line, without quoting the source', () => {
    const problems = checkTemplate({ subject: 'Hi', text: 'ok\n{{contact.name' }, FIELDS);

    expect(problems).toEqual([{ path: 'text', message: 'has a syntax error on line 2' }]);
  });

  it.each([
    ['{{> footer}}', 'partials are not supported'],
    ['{{@root.contact.name}}', 'is not a variable'],
    ['{{../contact.name}}', 'is not a variable'],
    ['{{this.contact.name}}', 'is not a variable'],
    ['{{trigger}}', 'trigger alone is not a value'],
    ['{{contact.fields}}', 'is not a contact variable'],
    ['{{contact.fields.plan.code}}', 'is not a contact variable'],
    ['{{formatDate trigger.at}}', 'formatDate takes a variable and a format'],
    ['{{formatDate trigger.at 42}}', 'formatDate needs a quoted format'],
    ['{{formatDate "2026-01-01" "yyyy"}}', 'formatDate needs a variable'],
    ['{{#if trigger.a trigger.b}}x{{/if}}', '#if takes exactly one variable'],
    ['{{if trigger.a}}', 'is not a helper'],
    ['{{#with contact}}{{name}}{{/with}}', '#with is not an allowed helper'],
  ])('refuses %s', (text, problem) => {
    const [first] = checkTemplate({ subject: 'Hi', text }, FIELDS);

    expect(first?.message).toContain(problem);
  });

  it('requires a subject and a text or html part', () => {
    expect(checkTemplate({ subject: ' ' }, FIELDS)).toEqual([
      { path: 'subject', message: 'is required' },
      { path: 'text', message: 'text or html is required' },
    ]);
  });

  it('allows unescaped output in the text part, which is never HTML', () => {
    expect(checkTemplate({ subject: 'Hi', text: '{{{contact.name}}}' }, FIELDS)).toEqual([]);
  });
});
