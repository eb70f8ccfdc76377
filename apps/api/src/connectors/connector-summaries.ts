import { type FhirStatus } from '@sealpost/fhir';
import { type GoogleWorkspaceStatus } from '@sealpost/google-workspace';
import { type GatewayStatus } from '@sealpost/messaging';
import { type M365Status } from '@sealpost/microsoft365';

export type ConnectorHealth =
  'ok' | 'degraded' | 'failing' | 'disabled' | 'not_configured' | 'unknown';

/** One connector in the overview: the same few fields for each, its own status beside them. */
export interface ConnectorSummary {
  connector: 'smtp-gateway' | 'microsoft365' | 'google-workspace' | 'fhir';
  health: ConnectorHealth;
  /** The newest sign of work: a message taken, a directory synced, a Communication written. */
  lastActivityAt: string | null;
  /** A code and status, never content. */
  lastError: string | null;
  /** The connector's own status, as its /status route answers. */
  details: GatewayStatus | M365Status | GoogleWorkspaceStatus | FhirStatus;
}

/** Failed copies among the gateway's last day of mail make it degraded, not failing. */
export function gatewaySummary(status: GatewayStatus): ConnectorSummary {
  const { copies } = status.recent;
  let health: ConnectorHealth = 'not_configured';
  if (status.configured) {
    health = copies.failed > 0 ? 'degraded' : 'ok';
  }
  return {
    connector: 'smtp-gateway',
    health,
    lastActivityAt: status.recent.lastAcceptedAt,
    lastError: null,
    details: status,
  };
}

export function microsoft365Summary(status: M365Status): ConnectorSummary {
  let health: ConnectorHealth = status.health;
  if (!status.configured) {
    health = 'not_configured';
  } else if (!status.enabled) {
    health = 'disabled';
  }
  return {
    connector: 'microsoft365',
    health,
    lastActivityAt: status.lastSyncAt,
    lastError: status.lastError,
    details: status,
  };
}

export function googleWorkspaceSummary(status: GoogleWorkspaceStatus): ConnectorSummary {
  return {
    connector: 'google-workspace',
    health: status.health,
    lastActivityAt: status.lastDirectorySyncAt,
    lastError: status.lastError?.summary ?? null,
    details: status,
  };
}

/** The worst of the enabled connections: one failing EHR makes the connector failing. */
export function fhirSummary(status: FhirStatus): ConnectorSummary {
  const enabled = status.connections.filter((connection) => connection.enabled);
  let health: ConnectorHealth = 'not_configured';
  if (status.configured) {
    health = 'disabled';
  }
  if (enabled.length) {
    const healths = enabled.map((connection) => connection.health);
    if (healths.includes('failing')) {
      health = healths.every((one) => one === 'failing') ? 'failing' : 'degraded';
    } else {
      health = healths.includes('ok') ? 'ok' : 'unknown';
    }
  }
  const newest = <T>(values: (T | null)[]): T | null =>
    values
      .filter((value): value is T => value !== null)
      .sort()
      .at(-1) ?? null;
  return {
    connector: 'fhir',
    health,
    lastActivityAt: newest(status.connections.map((connection) => connection.lastSyncedAt)),
    lastError: enabled.find((connection) => connection.health === 'failing')?.lastError ?? null,
    details: status,
  };
}
