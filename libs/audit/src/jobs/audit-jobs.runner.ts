import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { safeErrorFields } from '@sealpost/core';
import { CheckpointSweeper } from './checkpoint-sweeper';
import { MessageEventChainer } from './message-event-chainer';

// Events reach the chain within about this long; a full batch is followed at once by the next.
const CHAIN_EVERY_MS = 1000;
// The time-based checkpoint is counted in minutes, so a check each minute is enough.
const SWEEP_EVERY_MS = 60_000;

/** The worker's audit duties: chain queued message events, sign checkpoints of quiet chains. */
@Injectable()
export class AuditJobsRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditJobsRunner.name);
  private running = false;
  private chaining?: Promise<void>;
  private sweepTimer?: NodeJS.Timeout;
  private wake?: () => void;

  constructor(
    private readonly chainer: MessageEventChainer,
    private readonly sweeper: CheckpointSweeper,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.chaining = this.chainLoop();
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.sweepTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    clearInterval(this.sweepTimer);
    this.wake?.();
    await this.chaining;
  }

  private async chainLoop(): Promise<void> {
    const batch = 1000;
    while (this.running) {
      let chained = 0;
      try {
        chained = await this.chainer.chainBatch(batch);
      } catch (error) {
        this.logger.warn({ err: safeErrorFields(error) }, 'message event chaining failed');
      }
      if (chained < batch) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, CHAIN_EVERY_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  private async sweep(): Promise<void> {
    try {
      await this.sweeper.sweep();
    } catch (error) {
      this.logger.warn({ err: safeErrorFields(error) }, 'audit checkpoint sweep failed');
    }
  }
}
