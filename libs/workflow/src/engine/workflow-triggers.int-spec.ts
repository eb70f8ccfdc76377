import { type AuthContext } from '@sealpost/core';
import { ContactsService } from '../contacts/contacts.service';
import { SegmentsService } from '../segments/segments.service';
import { DAY, EngineHarness, HOUR } from '../testing/engine-test-kit';
import { EnrollContactsUseCase } from './enroll-contacts.use-case';

describe('Workflow entry and filters (real PostgreSQL and Redis, clock moved)', () => {
  const engine = new EngineHarness();
  let caller: AuthContext;

  beforeAll(async () => {
    await engine.start();
    caller = await engine.aCaller();
    await engine.defineField(caller, 'checkup_on', 'date');
    await engine.defineField(caller, 'plan', 'string');
  });

  afterAll(() => engine.stop());

  const end = { id: 'end', type: 'end' };

  it('enrolls a contact on its date milestone at 09:00 in its own zone', async () => {
    const workflowId = await engine.aWorkflow(caller, {
      start: 'end',
      triggers: [{ type: 'date_milestone', field: 'checkup_on', at: '09:00' }],
      steps: [end],
    });
    engine.clock.set(new Date('2026-06-01T08:00:00Z'));
    const contactId = await engine.aContact(caller, { fields: { checkup_on: '2099-06-03' } });
    const soon = await engine.aContact(caller, {
      timeZone: 'Europe/Berlin',
      fields: { checkup_on: dateOf(new Date(Date.now() + 2 * DAY)) },
    });

    await engine.settle();
    const before = await engine.enrollment(caller, workflowId, soon);
    engine.clock.set(new Date(Date.now() + 3 * DAY));
    await engine.settle();
    await engine.settle();

    expect(before).toBeUndefined();
    expect((await engine.enrollment(caller, workflowId, soon)).state).toBe('completed');
    expect(await engine.enrollment(caller, workflowId, contactId)).toBeUndefined();
  });

  it('wakes a filter wait once the contact matches, before its timeout', async () => {
    const workflowId = await engine.aWorkflow(caller, {
      start: 'await',
      steps: [
        {
          id: 'await',
          type: 'wait_event',
          event: {
            kind: 'filter',
            condition: { kind: 'field', field: 'plan', op: 'eq', value: 'gold' },
          },
          timeout: 'P2D',
          next: 'end',
          timeoutNext: 'end',
        },
        end,
      ],
    });
    const upgraded = await engine.aContact(caller, { fields: { plan: 'basic' } });
    const unchanged = await engine.aContact(caller, { fields: { plan: 'basic' } });
    await engine.get(EnrollContactsUseCase).execute(caller, workflowId, {
      contactIds: [upgraded, unchanged],
    });
    await engine.settle();

    await engine.get(ContactsService).update(caller.organisationId, upgraded, {
      fields: { plan: 'gold' },
    });
    await engine.advance(HOUR);
    const early = await engine.runs(caller, workflowId, unchanged);
    await engine.advance(2 * DAY);

    expect(await engine.runs(caller, workflowId, upgraded)).toEqual([
      ['await', 'event'],
      ['end', 'ended'],
    ]);
    expect(early).toEqual([]);
    expect(await engine.runs(caller, workflowId, unchanged)).toEqual([
      ['await', 'timed_out'],
      ['end', 'ended'],
    ]);
  });

  it('enrolls the members of a segment and of a list, skipping those enrolled before', async () => {
    const workflowId = await engine.aWorkflow(caller, {
      start: 'pause',
      steps: [
        {
          id: 'pause',
          type: 'wait_time',
          wait: { kind: 'duration', duration: 'P1D' },
          next: 'end',
        },
        end,
      ],
    });
    const gold = [
      await engine.aContact(caller, { fields: { plan: 'platinum' } }),
      await engine.aContact(caller, { fields: { plan: 'platinum' } }),
    ];
    const segment = await engine.get(SegmentsService).create(caller.organisationId, 'platinum', {
      field: 'fields.plan',
      op: 'eq',
      value: 'platinum',
    });
    const [{ id: listId }] = await engine.dataSource.query<{ id: string }[]>(
      `INSERT INTO contact_lists (id, organisation_id, name)
       VALUES (gen_random_uuid(), $1, 'reminders') RETURNING id`,
      [caller.organisationId],
    );
    const listed = await engine.aContact(caller);
    await engine.dataSource.query(
      `INSERT INTO contact_list_members (organisation_id, list_id, contact_id)
       SELECT $1, $2, unnest($3::uuid[])`,
      [caller.organisationId, listId, [listed, gold[0]]],
    );
    const enroll = engine.get(EnrollContactsUseCase);

    const bySegment = await enroll.execute(caller, workflowId, { segmentId: segment.id });
    const byList = await enroll.execute(caller, workflowId, { listId });

    expect(bySegment).toEqual({ enrolled: 2, skipped: 0 });
    expect(byList).toEqual({ enrolled: 1, skipped: 1 });
  });
});

function dateOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}
