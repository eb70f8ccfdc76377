import { timingSafeEqual } from 'node:crypto';
import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import { type Queue } from 'bull';
import { DataSource } from 'typeorm';
import { M365ConnectionsService } from '../connections/m365-connections.service';
import {
  LIFECYCLE_EVENTS,
  type LifecycleJob,
  M365_LIFECYCLE_JOB,
  M365_QUEUE,
  M365_SENT_ITEM_JOB,
  type SentItemJob,
} from '../subscriptions/m365-jobs';

/** One item of a Graph change or lifecycle notification, as far as Sealpost reads it. */
interface NotificationItem {
  subscriptionId?: unknown;
  clientState?: unknown;
  changeType?: unknown;
  lifecycleEvent?: unknown;
  resourceData?: { id?: unknown } | null;
}

// Graph sends a few items per POST; a body with far more is not from Graph.
const MAX_ITEMS = 1000;
// Jobs kept after completion only long enough for Bull's jobId to absorb a redelivery.
const KEEP_DONE = { age: 3600, count: 10_000 };

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks what Graph posted (known subscription, matching clientState, compared in constant
 * time) and queues the work; the endpoint answers 202 without waiting for Graph reads.
 * Items that fail the check are dropped, as Graph's docs ask.
 */
@Injectable()
export class NotificationIntake {
  private readonly logger = new Logger(NotificationIntake.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: M365ConnectionsService,
    @InjectQueue(M365_QUEUE) private readonly queue: Queue,
  ) {}

  async changes(body: unknown): Promise<number> {
    let queued = 0;
    for (const item of await this.verified(body)) {
      const messageId = item.item.resourceData?.id;
      if (item.item.changeType !== 'created' || typeof messageId !== 'string') {
        continue;
      }
      const job: SentItemJob = {
        organisationId: item.organisationId,
        userId: item.userId,
        messageId,
      };
      await this.queue.add(M365_SENT_ITEM_JOB, job, {
        jobId: `m365-sent:${item.organisationId}:${messageId}`,
        attempts: 5,
        backoff: { type: 'exponential', delay: 30_000 },
        removeOnComplete: KEEP_DONE,
      });
      queued++;
    }
    return queued;
  }

  async lifecycle(body: unknown): Promise<number> {
    let queued = 0;
    for (const { item, organisationId } of await this.verified(body)) {
      const event = LIFECYCLE_EVENTS.find((known) => known === item.lifecycleEvent);
      if (!event) {
        continue;
      }
      const job: LifecycleJob = {
        organisationId,
        subscriptionId: item.subscriptionId as string,
        event,
      };
      await this.queue.add(M365_LIFECYCLE_JOB, job, {
        attempts: 5,
        backoff: { type: 'exponential', delay: 30_000 },
        removeOnComplete: true,
      });
      queued++;
    }
    return queued;
  }

  private async verified(
    body: unknown,
  ): Promise<{ item: NotificationItem; organisationId: string; userId: string }[]> {
    const value = (body as { value?: unknown } | null)?.value;
    if (!Array.isArray(value)) {
      return [];
    }
    const items = (value as NotificationItem[]).slice(0, MAX_ITEMS);
    const ids = items
      .map((item) => item.subscriptionId)
      .filter((id): id is string => typeof id === 'string');
    const rows = await this.dataSource.query<
      { id: string; organisation_id: string; user_id: string }[]
    >(`SELECT id, organisation_id, user_id FROM m365_subscriptions WHERE id = ANY($1)`, [ids]);
    const subscriptions = new Map(rows.map((row) => [row.id, row]));
    const states = new Map<string, string | null>();
    const accepted: { item: NotificationItem; organisationId: string; userId: string }[] = [];
    let refused = 0;
    for (const item of items) {
      const subscription =
        typeof item.subscriptionId === 'string'
          ? subscriptions.get(item.subscriptionId)
          : undefined;
      if (!subscription) {
        refused++;
        continue;
      }
      const organisationId = subscription.organisation_id;
      if (!states.has(organisationId)) {
        states.set(organisationId, await this.connections.clientState(organisationId));
      }
      const expected = states.get(organisationId);
      if (
        !expected ||
        typeof item.clientState !== 'string' ||
        !sameSecret(item.clientState, expected)
      ) {
        refused++;
        continue;
      }
      accepted.push({ item, organisationId, userId: subscription.user_id });
    }
    if (refused) {
      this.logger.warn({ refused, accepted: accepted.length }, 'm365 notification items refused');
    }
    return accepted;
  }
}
