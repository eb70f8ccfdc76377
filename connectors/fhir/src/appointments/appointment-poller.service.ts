import { Injectable, Logger } from '@nestjs/common';
import { safeErrorFields } from '@sealpost/core';
import type Client from 'fhir-kit-client';
import { DataSource } from 'typeorm';
import { FhirClientFactory } from '../connections/fhir-client.factory';
import { FhirConnectionsService } from '../connections/fhir-connections.service';
import { FhirFailure, fhirFailureOf } from '../fhir-connector-error';
import { isObject } from './appointment-facts';
import { AppointmentIntakeUseCase } from './appointment-intake.use-case';
import { type ActiveAppointmentTrigger } from './appointment-trigger';

// Appointments per page asked of the EHR.
const PAGE_SIZE = 100;
// Pages per poll: a large backlog is read over several polls (the cursor keeps the place)
// rather than in one run that holds the trigger for minutes.
const MAX_PAGES_PER_POLL = 20;
// A claimed trigger is not offered to another worker for this long; a poll that crashed is
// picked up again after it.
const CLAIM_LEASE_SECONDS = 300;

interface ClaimedTrigger {
  connection_id: string;
  organisation_id: string;
  workflow_id: string;
  search: string;
  cursor: string | null;
}

interface Bundle {
  entry?: { resource?: unknown }[];
  link?: { relation?: string; url?: string }[];
}

export interface PollResult {
  seen: number;
  cursor: string | null;
  error: string | null;
}

/**
 * Polls EHRs for Appointments: one due trigger at a time, claimed with SKIP LOCKED so any
 * number of workers share the work. The search asks for everything updated at or after the
 * cursor (the highest meta.lastUpdated read so far), sorted by it, following `next` links.
 * `ge` rather than `gt` reads the cursor's own instant again, so an appointment updated in
 * the same instant after a poll is not missed; the intake's fingerprints make the repeat
 * harmless.
 */
@Injectable()
export class AppointmentPoller {
  private readonly logger = new Logger(AppointmentPoller.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: FhirConnectionsService,
    private readonly clients: FhirClientFactory,
    private readonly intake: AppointmentIntakeUseCase,
  ) {}

  /** Polls every trigger that is due now; returns how many it polled. */
  async pollDue(): Promise<number> {
    let polled = 0;
    for (let claimed = await this.claim(); claimed; claimed = await this.claim()) {
      await this.poll(claimed);
      polled += 1;
    }
    return polled;
  }

  private async poll(claimed: ClaimedTrigger): Promise<PollResult> {
    const trigger: ActiveAppointmentTrigger = {
      connectionId: claimed.connection_id,
      organisationId: claimed.organisation_id,
      workflowId: claimed.workflow_id,
      search: claimed.search,
      cursor: claimed.cursor,
    };
    let result: PollResult;
    try {
      result = await this.read(trigger);
    } catch (error) {
      const failure = fhirFailureOf(error);
      const code =
        failure.failure === FhirFailure.Rejected && failure.httpStatus
          ? `${failure.failure}:${failure.httpStatus}`
          : failure.failure;
      this.logger.warn(
        {
          organisationId: trigger.organisationId,
          connectionId: trigger.connectionId,
          failure: code,
          err: safeErrorFields(failure),
        },
        'fhir appointment poll failed',
      );
      result = { seen: 0, cursor: trigger.cursor, error: code };
    }
    if (result.seen > 0) {
      this.logger.log(
        {
          organisationId: trigger.organisationId,
          connectionId: trigger.connectionId,
          seen: result.seen,
        },
        'fhir appointments polled',
      );
    }
    await this.dataSource.query(
      `UPDATE fhir_appointment_triggers SET cursor = $3, last_polled_at = now(),
         last_poll_error = $4, last_poll_seen = $5,
         next_poll_at = now() + poll_interval_seconds * interval '1 second'
        WHERE organisation_id = $1 AND connection_id = $2`,
      [trigger.organisationId, trigger.connectionId, result.cursor, result.error, result.seen],
    );
    return result;
  }

  /** Reads the pages, applying each appointment; the cursor moves with every one applied. */
  private async read(trigger: ActiveAppointmentTrigger): Promise<PollResult> {
    const connection = await this.connections.open(trigger.organisationId, trigger.connectionId);
    let client: Client;
    try {
      client = await this.clients.authorised(connection);
    } catch (error) {
      throw fhirFailureOf(error);
    }
    const searchParams = pollSearchParams(trigger.search, trigger.cursor, PAGE_SIZE);
    let cursor = trigger.cursor;
    let seen = 0;
    try {
      let page = (await client.search({ resourceType: 'Appointment', searchParams })) as Bundle;
      for (let pages = 1; ; pages += 1) {
        for (const entry of page.entry ?? []) {
          await this.intake.execute(trigger, entry.resource);
          seen += 1;
          cursor = later(cursor, lastUpdatedOf(entry.resource));
        }
        const hasNext = page.link?.some((link) => link.relation === 'next' && link.url);
        if (!hasNext || pages >= MAX_PAGES_PER_POLL) {
          break;
        }
        page = (await client.nextPage(page as never)) as Bundle;
      }
    } catch (error) {
      const failure = fhirFailureOf(error);
      if (failure.failure === FhirFailure.AuthRefused) {
        this.clients.refused(connection);
      }
      // What was applied stays applied; the next poll goes on from there.
      if (seen > 0) {
        await this.keepCursor(trigger, cursor);
      }
      throw failure;
    }
    return { seen, cursor, error: null };
  }

  private async keepCursor(trigger: ActiveAppointmentTrigger, cursor: string | null) {
    await this.dataSource.query(
      `UPDATE fhir_appointment_triggers SET cursor = $3
        WHERE organisation_id = $1 AND connection_id = $2`,
      [trigger.organisationId, trigger.connectionId, cursor],
    );
  }

  /** One due trigger of an enabled connection, leased so no other worker polls it. */
  private async claim(): Promise<ClaimedTrigger | undefined> {
    const [[row]] = await this.dataSource.query<[ClaimedTrigger[], number]>(
      `UPDATE fhir_appointment_triggers t
          SET next_poll_at = now() + $1 * interval '1 second'
        WHERE t.connection_id = (
          SELECT d.connection_id FROM fhir_appointment_triggers d
            JOIN fhir_connections c ON c.id = d.connection_id AND c.enabled
           WHERE d.polling AND d.next_poll_at <= now()
           ORDER BY d.next_poll_at
           LIMIT 1 FOR UPDATE OF d SKIP LOCKED)
        RETURNING t.connection_id, t.organisation_id, t.workflow_id, t.search, t.cursor`,
      [CLAIM_LEASE_SECONDS],
    );
    return row;
  }
}

/**
 * The poll's search: the trigger's own parameters (a name given twice, such as a date range
 * `date=ge…&date=le…`, stays twice) and Sealpost's sort, page size and cursor.
 */
export function pollSearchParams(
  search: string,
  cursor: string | null,
  pageSize: number,
): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(search)) {
    const seen = params[name];
    params[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  params._sort = '_lastUpdated';
  params._count = String(pageSize);
  if (cursor) {
    params._lastUpdated = `ge${cursor}`;
  }
  return params;
}

function lastUpdatedOf(resource: unknown): string | null {
  const meta = isObject(resource) ? resource.meta : undefined;
  const value = isObject(meta) ? meta.lastUpdated : undefined;
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : null;
}

/** The later of two FHIR instants, kept as the EHR wrote it. */
function later(current: string | null, candidate: string | null): string | null {
  if (!candidate) {
    return current;
  }
  if (!current) {
    return candidate;
  }
  return Date.parse(candidate) > Date.parse(current) ? candidate : current;
}
