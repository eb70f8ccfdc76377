import { Readable } from 'node:stream';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { createDataSource } from '@sealpost/core';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { type DataSource } from 'typeorm';
import { ContactFieldsService } from '../contacts/contact-fields.service';
import { ContactsBulkService } from '../contacts/contacts-bulk.service';
import { ContactsService } from '../contacts/contacts.service';
import { ContactCsvImportService } from '../contacts/csv/contact-csv-import.service';
import { ContactListsService } from '../lists/contact-lists.service';
import { ManualClock } from '../scheduling/clock';
import { type SegmentFilter } from './segment-filter';
import { SegmentMembers } from './segment-members.service';
import { SegmentsService } from './segments.service';

const HOUR = 60 * 60 * 1000;

/**
 * The services as the engine and the CLI use them, on real PostgreSQL, with a clock the test
 * moves. Real: database, services. Fake: only the clock (a ManualClock).
 */
describe('segment members and contacts services', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let clock: ManualClock;
  let fields: ContactFieldsService;
  let contacts: ContactsService;
  let bulk: ContactsBulkService;
  let segments: SegmentsService;
  let members: SegmentMembers;
  let organisationId: string;
  const logLines: string[] = [];
  const capture = (...parts: unknown[]) => {
    logLines.push(JSON.stringify(parts));
  };
  const capturingLogger: LoggerService = {
    log: capture,
    error: capture,
    warn: capture,
    debug: capture,
    verbose: capture,
  };

  beforeAll(async () => {
    Logger.overrideLogger(capturingLogger);
    database = await createTestDatabase();
    dataSource = createDataSource(database.url, []);
    await dataSource.initialize();
    clock = new ManualClock(new Date('2026-03-01T12:00:00Z'));
    fields = new ContactFieldsService(dataSource);
    contacts = new ContactsService(dataSource, fields, clock);
    bulk = new ContactsBulkService(dataSource, fields, clock);
    segments = new SegmentsService(dataSource, fields, clock);
    members = new SegmentMembers(dataSource, segments, fields, clock);
    [{ id: organisationId }] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO organisations (name) VALUES ('segment-members') RETURNING id`,
    );
    await fields.define(organisationId, 'appointment_at', 'datetime');
  });

  afterAll(async () => {
    Logger.overrideLogger(new ConsoleLogger());
    await dataSource?.destroy();
    await database?.drop();
  });

  it('walks a segment of 2,345 contacts in pages of at most 1000 ids, each id once', async () => {
    const emails = Array.from({ length: 2345 }, (_, i) => `walk.${i}@example.net`);
    for (let i = 0; i < emails.length; i += 1000) {
      const rows = emails.slice(i, i + 1000).map((email) => ({ email, name: 'Walker' }));
      await bulk.upsert(organisationId, rows);
    }
    const segment = await segments.create(organisationId, 'walkers', {
      field: 'name',
      op: 'eq',
      value: 'Walker',
    });

    const pages: string[][] = [];
    for await (const page of members.contactIdsOf(organisationId, segment.id)) {
      pages.push(page);
    }

    expect(pages.map((page) => page.length)).toEqual([1000, 1000, 345]);
    expect(new Set(pages.flat()).size).toBe(2345);
  });

  it('evaluates time-relative conditions at the injected clock', async () => {
    const contact = await contacts.create(organisationId, {
      email: 'clock@example.net',
      fields: { appointment_at: '2026-03-03T12:00:00Z' },
    });
    const soon: SegmentFilter = { field: 'fields.appointment_at', op: 'within_days', value: 1 };

    const before = await members.contactMatches(organisationId, soon, contact.id);
    clock.advance(25 * HOUR);
    const after = await members.contactMatches(organisationId, soon, contact.id);

    expect([before, after]).toEqual([false, true]);
  });

  it('does not match a contact of another organisation', async () => {
    const [{ id: otherOrg }] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO organisations (name) VALUES ('other') RETURNING id`,
    );
    const theirs = await contacts.create(otherOrg, { email: 'theirs@example.net' });

    const matched = await members.contactMatches(
      organisationId,
      { unsubscribed: false },
      theirs.id,
    );

    expect(matched).toBe(false);
  });

  it('records when a contact joined a list at the injected clock', async () => {
    const lists = new ContactListsService(dataSource, clock);
    const contact = await contacts.create(organisationId, { email: 'joiner@example.net' });
    const list = await lists.create(organisationId, 'joiners');
    clock.set(new Date('2027-01-15T08:00:00Z'));

    await lists.addMembers(organisationId, list.id, [contact.id]);
    const [member] = await dataSource.query<{ added_at: Date }[]>(
      `SELECT added_at FROM contact_list_members WHERE list_id = $1`,
      [list.id],
    );

    expect(member.added_at.toISOString()).toBe('2027-01-15T08:00:00.000Z');
  });

  it('logs ids and counts, never an address, a name or a field value', async () => {
    const lists = new ContactListsService(dataSource, clock);
    const importer = new ContactCsvImportService(dataSource, fields, clock);
    const created = await contacts.create(organisationId, {
      email: 'phi.person@example.net',
      name: 'Phi Person',
      fields: { appointment_at: '2026-04-01T09:00:00Z' },
    });
    await contacts.update(organisationId, created.id, { name: 'Phi Renamed' });
    await bulk.upsert(organisationId, [{ email: 'phi.bulk@example.net', name: 'Phi Bulk' }]);
    await importer.import(
      organisationId,
      Readable.from(['email,name\nphi.csv@example.net,Phi Csv\nphi.bad,Phi Bad\n']),
    );
    const list = await lists.create(organisationId, 'phi list');
    await lists.addMembers(organisationId, list.id, [created.id]);
    await segments.countFilter(organisationId, {
      field: 'email',
      op: 'eq',
      value: 'phi.person@example.net',
    });
    await contacts.remove(organisationId, created.id);

    const logged = logLines.join('\n');
    expect(logged).toContain(created.id);
    expect(logged).toContain('contacts CSV import');
    expect(logged).not.toMatch(/phi\.|Phi /);
  });
});
