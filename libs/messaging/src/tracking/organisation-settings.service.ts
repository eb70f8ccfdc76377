import { Injectable, Logger, Optional } from '@nestjs/common';
import {
  apiKeyActor,
  AuditLog,
  type AuthContext,
  callerRef,
  preparedStatement,
  queryPrepared,
  requireAuditLog,
} from '@sealpost/core';
import { DataSource } from 'typeorm';

export interface OrganisationSettingsView {
  tracking: { enabled: boolean };
}

// Read for every HTML copy delivered; an organisation without a row has the defaults.
const TRACKING_ENABLED = preparedStatement(
  'tracking_enabled',
  `SELECT coalesce((SELECT tracking_enabled FROM organisation_settings
                     WHERE organisation_id = $1), true) AS enabled`,
);

/** The organisation's settings; today the one that switches tracking off. */
@Injectable()
export class OrganisationSettingsService {
  private readonly logger = new Logger(OrganisationSettingsService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async trackingEnabled(organisationId: string): Promise<boolean> {
    const [row] = await queryPrepared<{ enabled: boolean }>(this.dataSource, TRACKING_ENABLED, [
      organisationId,
    ]);
    return row.enabled;
  }

  async get(caller: AuthContext): Promise<OrganisationSettingsView> {
    return { tracking: { enabled: await this.trackingEnabled(caller.organisationId) } };
  }

  async update(
    caller: AuthContext,
    settings: OrganisationSettingsView,
  ): Promise<OrganisationSettingsView> {
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO organisation_settings (organisation_id, tracking_enabled) VALUES ($1, $2)
         ON CONFLICT (organisation_id)
         DO UPDATE SET tracking_enabled = EXCLUDED.tracking_enabled, updated_at = now()`,
        [caller.organisationId, settings.tracking.enabled],
      );
      await audit.append(tx, {
        organisationId: caller.organisationId,
        actor: apiKeyActor(caller),
        action: 'organisation_settings.changed',
        target: { type: 'organisation_settings', id: caller.organisationId },
        details: { trackingEnabled: settings.tracking.enabled },
      });
    });
    this.logger.log(
      {
        organisationId: caller.organisationId,
        ...callerRef(caller),
        trackingEnabled: settings.tracking.enabled,
      },
      'organisation settings updated',
    );
    return this.get(caller);
  }
}
