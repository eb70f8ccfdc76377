import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { NotifiedPollLoop } from './notified-poll-loop';

const SERVER = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// Long enough that a pass before it can only have been woken by the NOTIFY.
const POLL_MS = 60_000;

describe('NotifiedPollLoop (real PostgreSQL LISTEN/NOTIFY)', () => {
  const channel = `loop_test_${randomBytes(4).toString('hex')}`;
  let notifier: Client;

  beforeAll(async () => {
    notifier = new Client({ connectionString: SERVER });
    await notifier.connect();
  });

  afterAll(async () => {
    await notifier.end();
  });

  function aLoop(runOnce: () => Promise<number>, batchSize = 10) {
    return new NotifiedPollLoop({
      databaseUrl: SERVER,
      channel,
      name: 'test',
      batchSize,
      pollIntervalMs: POLL_MS,
      logger: new Logger('test'),
      runOnce,
    });
  }

  it('runs a pass at start and another as soon as a NOTIFY comes, not at the poll', async () => {
    let passes = 0;
    let secondPass!: () => void;
    const woken = new Promise<void>((resolve) => (secondPass = resolve));
    const loop = aLoop(() => {
      passes += 1;
      if (passes === 2) {
        secondPass();
      }
      return Promise.resolve(0);
    });
    await loop.start();

    await notifier.query(`NOTIFY ${channel}`);
    await woken;
    await loop.stop();

    expect(passes).toBe(2);
  });

  it('runs again at once after a full batch, and keeps going after a failed pass', async () => {
    const answers = [10, 10, -1, 3];
    let passes = 0;
    let drained!: () => void;
    const done = new Promise<void>((resolve) => (drained = resolve));
    const loop = aLoop(() => {
      const answer = answers[passes];
      passes += 1;
      if (passes === answers.length) {
        drained();
      }
      return answer < 0 ? Promise.reject(new Error('database gone')) : Promise.resolve(answer);
    });
    await loop.start();

    await notifier.query(`NOTIFY ${channel}`); // wakes the pause after the failed pass
    await done;
    await loop.stop();

    expect(passes).toBe(4);
  });
});
