import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { safeErrorFields } from '@sealpost/core';
import { AppointmentPoller } from '@sealpost/fhir';

// How often the worker looks for triggers due a poll. Each trigger's own interval (30 s or
// more) decides when it is polled; this only bounds how late that can be.
const TICK_MS = 5000;

/** Polls EHRs for appointments while the worker runs; the rows say which are due. */
@Injectable()
export class FhirAppointmentPollLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FhirAppointmentPollLoop.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly poller: AppointmentPoller) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      // A tick while the last one still runs is skipped rather than stacked.
      this.running ??= this.tick().finally(() => {
        this.running = undefined;
      });
    }, TICK_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    try {
      await this.poller.pollDue();
    } catch (error) {
      this.logger.error({ err: safeErrorFields(error) }, 'fhir appointment polling crashed');
    }
  }
}
