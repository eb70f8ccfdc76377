import { type Logger } from '@nestjs/common';
import { Client } from 'pg';
import { safeErrorFields } from '../errors/safe-error-fields';

export interface NotifiedPollLoopOptions {
  databaseUrl: string;
  /** The NOTIFY channel that announces new work. */
  channel: string;
  /** Names the loop in log lines. */
  name: string;
  /** A pass that handled this many rows runs again at once: more are probably waiting. */
  batchSize: number;
  /** Work that falls due with no NOTIFY (retries, another process's missed wake-up). */
  pollIntervalMs: number;
  /** After a NOTIFY, wait this long so a burst of commits moves as one batch. */
  gatherMs?: number;
  logger: Logger;
  /** One pass over due rows; returns how many it handled. */
  runOnce: () => Promise<number>;
}

/**
 * Runs a dispatcher's passes: at once after a NOTIFY on its channel, otherwise every poll
 * interval. A NOTIFY that arrives during a pass is remembered, so it is not left waiting for
 * the next poll. A lost listener only slows the loop to its poll interval.
 */
export class NotifiedPollLoop {
  private running = false;
  private notified = false;
  private listener?: Client;
  private wake?: () => void;
  private loop?: Promise<void>;

  constructor(private readonly options: NotifiedPollLoopOptions) {}

  async start(): Promise<void> {
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { batchSize, logger, name, runOnce } = this.options;
    while (this.running) {
      let handled = 0;
      this.notified = false;
      try {
        handled = await runOnce();
      } catch (error) {
        logger.warn({ loop: name, err: safeErrorFields(error) }, 'dispatch pass failed');
      }
      if (handled < batchSize && this.running) {
        await this.pause();
      }
    }
  }

  /** Until a NOTIFY (then the gathering pause) or the poll interval, whichever comes first. */
  private pause(): Promise<void> {
    const gatherMs = this.options.gatherMs ?? 0;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.notified ? gatherMs : this.options.pollIntervalMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        setTimeout(resolve, this.running ? gatherMs : 0);
      };
    });
  }

  private async listen(): Promise<void> {
    const { databaseUrl, channel, logger, name } = this.options;
    const client = new Client({ connectionString: databaseUrl });
    client.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    client.on('error', (error) => {
      logger.warn({ loop: name, err: safeErrorFields(error) }, 'dispatch listener lost');
    });
    await client.connect();
    await client.query(`LISTEN ${channel}`);
    this.listener = client;
  }
}
