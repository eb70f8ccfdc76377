import { randomBytes, randomUUID } from 'node:crypto';
import { loadConfig } from '@sealpost/core';
import { addTracking, applyTracking, findTrackingSpots, TrackingTokens } from '@sealpost/messaging';
import { CompiledTemplate, type TemplateParts } from '@sealpost/workflow';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { parse } from 'parse5';
import { print, progress } from './bench-report';

interface HelperOptions {
  data: { root: { contact: { timeZone: string } } };
}

export interface TemplatesTrackingOptions {
  messages: number;
}

// Each side runs this many untimed first, so no figure includes a cold JIT.
const WARMUP = 500;
const LINKS = 5;

/** The HTML of a 10 KB care letter with a few links, as a journey or the API would send. */
function careLetter(): string {
  const paragraphs: string[] = [];
  for (let i = 0; paragraphs.join('').length < 10_000; i += 1) {
    const link =
      i % 8 === 0 && i / 8 < LINKS
        ? ` <a href="https://clinic.example/care/${i}?visit=${i}&amp;ref=plan">details</a>`
        : '';
    paragraphs.push(`<p>Paragraph ${i} of your care plan &amp; results.${link}</p>`);
  }
  return `<html><body>${paragraphs.join('\n')}</body></html>`;
}

const TEMPLATE: TemplateParts = {
  subject: 'Your visit on {{formatDate trigger.appointment_at "EEEE d MMMM"}}',
  text: 'Dear {{contact.name}}, see you at {{formatDate trigger.appointment_at "HH:mm"}}.',
  html:
    '<p>Dear {{contact.name}},</p>{{#if contact.fields.plan}}<p>Plan: ' +
    '{{contact.fields.plan}}</p>{{/if}}<p>See you at {{formatDate trigger.appointment_at ' +
    '"HH:mm"}} in {{trigger.clinic}}.</p>',
};

function timed(count: number, operation: (i: number) => void): number {
  for (let i = 0; i < WARMUP; i += 1) {
    operation(i);
  }
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) {
    operation(i);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return count / seconds;
}

/**
 * Two steps a tracked journey email pays per contact, each against the same work done by its
 * library alone in the same run: decorating one copy (token signing and the parse5 rewrite)
 * against parse5 parsing the same HTML, and rendering a template (value checks, formatDate in
 * the contact's zone) against Handlebars rendering the same context. The last line carries
 * both and the worse ratio. Pure CPU in this process; needs no database.
 */
export function runTemplatesTrackingBench(options: TemplatesTrackingOptions): Promise<number> {
  const count = options.messages;
  const html = careLetter();
  const config = loadConfig({
    NODE_ENV: 'test',
    SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
    SEALPOST_LOG_LEVEL: 'silent',
  });
  const tokens = new TrackingTokens(config);
  const copy = { organisationId: randomUUID(), messageId: randomUUID(), recipientId: randomUUID() };
  const base = 'https://mail.example.org';

  progress(`decorating ${count} copies of ${html.length} bytes with ${LINKS} links`);
  const decorated = timed(count, () =>
    addTracking(html, {
      pixel: `${base}/t/o/${tokens.sign({ ...copy, kind: 'open' })}`,
      link: (link, url) => `${base}/t/c/${tokens.sign({ ...copy, kind: 'click', link, url })}`,
    }),
  );
  // A further recipient of the same message: the decorator parses one HTML text once.
  const spots = findTrackingSpots(html);
  const spliced = timed(count, () =>
    applyTracking(html, spots, {
      pixel: `${base}/t/o/${tokens.sign({ ...copy, kind: 'open' })}`,
      link: (link, url) => `${base}/t/c/${tokens.sign({ ...copy, kind: 'click', link, url })}`,
    }),
  );
  const parsed = timed(count, () => parse(html));
  const decorateRatio = decorated / parsed;
  print(`tracking decorate: ${decorated.toFixed(0)} copies/s`);
  print(`tracking decorate, next recipient of the same HTML: ${spliced.toFixed(0)} copies/s`);
  print(`parse5 parse alone: ${parsed.toFixed(0)} documents/s`);

  progress(`rendering ${count} contacts`);
  const zones = ['America/Chicago', 'Europe/Berlin', 'UTC', 'Asia/Tokyo'];
  const inputs = zones.map((timeZone, i) => ({
    contact: { id: `c${i}`, email: `p${i}@example.test`, name: `Pat ${i}`, timeZone, fields: {} },
    trigger: { appointment_at: '2026-03-29T08:30:00Z', clinic: 'North' },
  }));
  const template = new CompiledTemplate(TEMPLATE);
  const rendered = timed(count, (i) => template.render(inputs[i % inputs.length]));
  const raw = rawHandlebars();
  const handlebars = timed(count, (i) => raw(inputs[i % inputs.length]));
  const renderRatio = rendered / handlebars;
  print(`template render: ${rendered.toFixed(0)} contacts/s`);
  print(`handlebars alone: ${handlebars.toFixed(0)} contacts/s`);

  print(
    `templates-tracking: decorate ${decorated.toFixed(0)}/s vs parse5 ${parsed.toFixed(0)}/s ` +
      `(ratio ${decorateRatio.toFixed(2)}), render ${rendered.toFixed(0)}/s vs handlebars ` +
      `${handlebars.toFixed(0)}/s (ratio ${renderRatio.toFixed(2)}), worst ratio ` +
      Math.min(decorateRatio, renderRatio).toFixed(2),
  );
  return Promise.resolve(0);
}

/** The same three parts in plain Handlebars, formatDate straight through Luxon, no checks. */
function rawHandlebars(): (context: object) => string {
  const env = Handlebars.create();
  env.registerHelper('formatDate', (value: string, format: string, options: HelperOptions) =>
    DateTime.fromISO(value, { zone: options.data.root.contact.timeZone })
      .setLocale('en-GB')
      .toFormat(format),
  );
  const parts = [TEMPLATE.subject, TEMPLATE.text ?? '', TEMPLATE.html ?? ''].map((part, i) =>
    env.compile(part, { noEscape: i < 2 }),
  );
  return (context) => parts.map((part) => part(context)).join('');
}
