import { type DefinitionProblem, DEFINITION_PROBLEM_CODES } from './definition-problem';
import { validateDefinition } from './definition-validator';

const TEMPLATE = '6f1c2a52-8a43-4d0f-9d0e-3f1e2b1a7c11';

/** A definition that uses every step type and passes. */
function aJourney(): Record<string, unknown> {
  return {
    start: 'welcome',
    triggers: [{ type: 'event', eventType: 'form_submitted' }],
    steps: [
      { id: 'welcome', type: 'send_email', templateId: TEMPLATE, next: 'pause' },
      { id: 'pause', type: 'wait_time', wait: { kind: 'duration', duration: 'PT48H' }, next: 'w' },
      {
        id: 'w',
        type: 'wait_event',
        event: { kind: 'clicked', stepId: 'welcome', url: 'https://clinic.example/book' },
        timeout: 'P3D',
        next: 'list',
        timeoutNext: 'choose',
      },
      {
        id: 'choose',
        type: 'branch',
        conditions: [
          { when: { kind: 'opened', stepId: 'welcome', withinDays: 7 }, next: 'window' },
          { when: { kind: 'field', field: 'age', op: 'gte', value: 65 }, next: 'again' },
        ],
        fallback: 'done',
      },
      {
        id: 'window',
        type: 'wait_time',
        wait: {
          kind: 'window',
          days: ['thu'],
          from: '12:00',
          to: '14:00',
          timeZone: 'America/Chicago',
        },
        next: 'done',
      },
      { id: 'again', type: 'goto', target: 'welcome' },
      { id: 'list', type: 'add_to_list', listId: TEMPLATE, next: 'done' },
      { id: 'done', type: 'end' },
    ],
  };
}

function withStep(index: number, patch: Record<string, unknown>): Record<string, unknown> {
  const journey = aJourney();
  const steps = journey.steps as Record<string, unknown>[];
  steps[index] = { ...steps[index], ...patch };
  return journey;
}

function problemsOf(input: unknown): DefinitionProblem[] {
  const result = validateDefinition(input);
  if (result.ok) {
    throw new Error('expected the definition to be refused');
  }
  return result.problems;
}

describe('validateDefinition', () => {
  it('accepts a journey that uses every step type, and keeps its steps and triggers', () => {
    const result = validateDefinition(aJourney());

    expect(result.ok).toBe(true);
    expect(result.ok && result.definition.steps.map((step) => step.type)).toEqual([
      'send_email',
      'wait_time',
      'wait_event',
      'branch',
      'wait_time',
      'goto',
      'add_to_list',
      'end',
    ]);
    expect(result.ok && result.definition.triggers).toEqual([
      { type: 'event', eventType: 'form_submitted' },
    ]);
  });

  it('accepts each wait kind: until a date, relative to a field, duration in a zone', () => {
    for (const wait of [
      { kind: 'until', at: '2027-03-01T09:00:00+01:00' },
      {
        kind: 'relative_to_field',
        field: 'appointment_at',
        direction: 'before',
        duration: 'PT48H',
      },
      { kind: 'duration', duration: 'P1D', timeZone: 'contact' },
      {
        kind: 'relative_to_trigger',
        path: 'appointment.start',
        direction: 'before',
        duration: 'PT24H',
      },
    ]) {
      expect(validateDefinition(withStep(1, { wait })).ok).toBe(true);
    }
  });

  it('refuses a definition that is not an object (invalid_definition)', () => {
    expect(problemsOf([])).toEqual([
      expect.objectContaining({ code: 'invalid_definition', stepId: null }),
    ]);
  });

  it('reports a required field that is missing, with the step id (missing_field)', () => {
    const journey = withStep(0, { templateId: undefined });

    expect(problemsOf(journey)).toEqual([
      {
        code: 'missing_field',
        stepId: 'welcome',
        path: 'definition.steps[0].templateId',
        message: 'is required',
      },
    ]);
  });

  it('reports a value of the wrong shape (invalid_value)', () => {
    expect(problemsOf(withStep(6, { listId: 'not-a-uuid' }))).toEqual([
      expect.objectContaining({ code: 'invalid_value', stepId: 'list' }),
    ]);
  });

  it('reports a step id used twice (duplicate_step_id)', () => {
    const journey = aJourney();
    (journey.steps as unknown[]).push({ id: 'done', type: 'end' });

    expect(problemsOf(journey)).toContainEqual(
      expect.objectContaining({ code: 'duplicate_step_id', stepId: 'done' }),
    );
  });

  it('reports a step type it does not know (unknown_step_type)', () => {
    expect(problemsOf(withStep(5, { type: 'send_sms' }))).toContainEqual({
      code: 'unknown_step_type',
      stepId: 'again',
      path: 'definition.steps[5].type',
      message: expect.stringContaining('send_email') as string,
    });
  });

  it('reports a Go To, next, start or engagement step that names no step (unknown_target)', () => {
    const journey = withStep(5, { target: 'nowhere' });
    journey.start = 'missing';
    const steps = journey.steps as Record<string, unknown>[];
    steps[2] = { ...steps[2], event: { kind: 'opened', stepId: 'pause' } };

    const problems = problemsOf(journey).filter((p) => p.code === 'unknown_target');

    expect(problems.map((p) => [p.stepId, p.path])).toEqual([
      ['w', 'definition.steps[2]'],
      ['again', 'definition.steps[5]'],
      [null, 'definition.start'],
    ]);
  });

  it('reports every step no path from the start reaches (unreachable_step)', () => {
    const journey = aJourney();
    (journey.steps as unknown[]).push(
      { id: 'orphan', type: 'send_email', templateId: TEMPLATE, next: 'orphan-end' },
      { id: 'orphan-end', type: 'end' },
    );

    expect(problemsOf(journey).map((p) => [p.code, p.stepId])).toEqual([
      ['unreachable_step', 'orphan'],
      ['unreachable_step', 'orphan-end'],
    ]);
  });

  it('reports a zone that is not an IANA zone (invalid_time_zone)', () => {
    const wait = {
      kind: 'window',
      days: ['thu'],
      from: '12:00',
      to: '14:00',
      timeZone: 'Mars/Olympus',
    };

    expect(problemsOf(withStep(4, { wait }))).toEqual([
      expect.objectContaining({
        code: 'invalid_time_zone',
        stepId: 'window',
        path: 'definition.steps[4].wait.timeZone',
      }),
    ]);
  });

  it.each(['48h', 'P0D', 'PT-5M', 'P2Y'])('refuses the duration %s (invalid_duration)', (d) => {
    expect(problemsOf(withStep(1, { wait: { kind: 'duration', duration: d } }))).toEqual([
      expect.objectContaining({ code: 'invalid_duration', stepId: 'pause' }),
    ]);
  });

  it('refuses a wait-for-event timeout that is no duration (invalid_duration)', () => {
    expect(problemsOf(withStep(2, { timeout: 'three days' }))).toEqual([
      expect.objectContaining({ code: 'invalid_duration', path: 'definition.steps[2].timeout' }),
    ]);
  });

  it('refuses an until date that is not ISO 8601 (invalid_date)', () => {
    const wait = { kind: 'until', at: 'next Tuesday' };

    expect(problemsOf(withStep(1, { wait }))).toEqual([
      expect.objectContaining({ code: 'invalid_date', stepId: 'pause' }),
    ]);
  });

  it('refuses a window with a bad time or an end before its start (invalid_time)', () => {
    const wait = { kind: 'window', days: ['thu'], from: '25:00', to: '14:00', timeZone: 'UTC' };
    const reversed = { ...wait, from: '15:00' };

    expect(problemsOf(withStep(4, { wait })).map((p) => p.path)).toEqual([
      'definition.steps[4].wait.from',
    ]);
    expect(problemsOf(withStep(4, { wait: reversed })).map((p) => p.code)).toEqual([
      'invalid_time',
    ]);
  });

  it('refuses a condition of an unknown kind or without its value (invalid_condition)', () => {
    const conditions = [
      { when: { kind: 'age_over', value: 3 }, next: 'done' },
      { when: { kind: 'field', field: 'age', op: 'gt' }, next: 'done' },
    ];

    expect(problemsOf(withStep(3, { conditions })).map((p) => [p.code, p.path])).toEqual([
      ['invalid_condition', 'definition.steps[3].conditions[0].when.kind'],
      ['invalid_condition', 'definition.steps[3].conditions[1].when.value'],
    ]);
  });

  it('lists every problem of a definition at once, each with its step id', () => {
    const journey = withStep(1, { wait: { kind: 'duration', duration: 'soon' } });
    const steps = journey.steps as Record<string, unknown>[];
    steps[5] = { ...steps[5], target: 'nowhere' };
    steps[7] = { id: 'done', type: 'stop' };

    expect(problemsOf(journey).map((p) => [p.code, p.stepId])).toEqual([
      ['invalid_duration', 'pause'],
      ['unknown_step_type', 'done'],
      ['unknown_target', 'again'],
    ]);
  });

  it('never quotes a submitted value in a problem', () => {
    const secret = 'jane.doe@example.test';
    const journey = withStep(0, { templateId: secret, next: secret });

    expect(JSON.stringify(problemsOf(journey))).not.toContain(secret);
  });

  it('has a test above for every problem code', () => {
    const tested = new Set([
      'invalid_definition',
      'missing_field',
      'invalid_value',
      'duplicate_step_id',
      'unknown_step_type',
      'unknown_target',
      'unreachable_step',
      'invalid_time_zone',
      'invalid_duration',
      'invalid_date',
      'invalid_time',
      'invalid_condition',
    ]);

    expect(DEFINITION_PROBLEM_CODES.filter((code) => !tested.has(code))).toEqual([]);
  });
});
