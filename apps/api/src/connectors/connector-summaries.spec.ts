import { type FhirConnectionStatus, type FhirStatus } from '@sealpost/fhir';
import { type GatewayStatus } from '@sealpost/messaging';
import { type M365Status } from '@sealpost/microsoft365';
import { fhirSummary, gatewaySummary, microsoft365Summary } from './connector-summaries';

const gateway = (configured: boolean, failed: number): GatewayStatus => ({
  configured,
  credentials: { active: configured ? 1 : 0, lastUsedAt: null },
  senderRanges: 0,
  recent: {
    hours: 24,
    messages: 3,
    lastAcceptedAt: '2026-12-04T10:00:00.000Z',
    copies: { delivered: 3 - failed, pending: 0, bounced: 0, failed },
  },
});

const m365 = (over: Partial<M365Status>): M365Status => ({
  connector: 'microsoft365',
  configured: true,
  enabled: true,
  health: 'ok',
  lastTokenAt: null,
  lastSyncAt: '2026-12-04T09:00:00.000Z',
  counts: { users: 0, groups: 0, activeSubscriptions: 0 },
  lastError: null,
  lastErrorAt: null,
  nextRenewalAt: null,
  ...over,
});

const connection = (over: Partial<FhirConnectionStatus>): FhirConnectionStatus => ({
  id: 'c',
  name: 'EHR',
  enabled: true,
  health: 'ok',
  capabilitiesCheckedAt: null,
  syncs: { pending: 0, failed: 0 },
  lastSyncedAt: null,
  lastError: null,
  appointments: null,
  ...over,
});

const fhir = (connections: FhirConnectionStatus[]): FhirStatus => ({
  connector: 'fhir',
  configured: connections.length > 0,
  connections,
});

describe('connector summaries', () => {
  it('calls the gateway degraded when copies of its last day failed', () => {
    expect(gatewaySummary(gateway(false, 0)).health).toBe('not_configured');
    expect(gatewaySummary(gateway(true, 0))).toMatchObject({
      health: 'ok',
      lastActivityAt: '2026-12-04T10:00:00.000Z',
    });
    expect(gatewaySummary(gateway(true, 1)).health).toBe('degraded');
  });

  it('tells a missing or switched-off Microsoft 365 connection from a failing one', () => {
    expect(microsoft365Summary(m365({ configured: false })).health).toBe('not_configured');
    expect(microsoft365Summary(m365({ enabled: false, health: 'failing' })).health).toBe(
      'disabled',
    );
    expect(microsoft365Summary(m365({ health: 'failing', lastError: 'token: 401' }))).toMatchObject(
      { health: 'failing', lastError: 'token: 401' },
    );
  });

  it('takes the worst enabled EHR connection, and the newest write as activity', () => {
    const ok = connection({ lastSyncedAt: '2026-12-04T08:00:00.000Z' });
    const failing = connection({
      health: 'failing',
      lastError: 'unreachable',
      lastSyncedAt: '2026-12-04T09:00:00.000Z',
    });

    expect(fhirSummary(fhir([])).health).toBe('not_configured');
    expect(fhirSummary(fhir([connection({ enabled: false, health: 'failing' })])).health).toBe(
      'disabled',
    );
    expect(fhirSummary(fhir([ok])).health).toBe('ok');
    expect(fhirSummary(fhir([connection({ health: 'unknown' })])).health).toBe('unknown');
    expect(fhirSummary(fhir([ok, failing]))).toMatchObject({
      health: 'degraded',
      lastError: 'unreachable',
      lastActivityAt: '2026-12-04T09:00:00.000Z',
    });
    expect(fhirSummary(fhir([failing])).health).toBe('failing');
  });
});
