import { type FhirCapabilities } from './fhir-capabilities';

export const FHIR_AUTH_MODES = ['smart-backend', 'bearer'] as const;
export type FhirAuthMode = (typeof FHIR_AUTH_MODES)[number];

/** The SMART scope asked for when a connection names none. */
export const DEFAULT_SMART_SCOPE = 'system/Communication.write system/Communication.read';

export interface FhirConnectionInput {
  name: string;
  baseUrl: string;
  authMode: FhirAuthMode;
  clientId?: string;
  scope?: string;
  bearerToken?: string;
  /** Webhook-style event types (`message.delivered`, `portal.viewed`); empty: every type. */
  eventTypes?: string[];
  includeContent?: boolean;
}

export interface FhirConnectionChanges {
  name?: string;
  baseUrl?: string;
  clientId?: string;
  scope?: string;
  bearerToken?: string;
  eventTypes?: string[];
  includeContent?: boolean;
  enabled?: boolean;
}

/** A connection as the API shows it: never the bearer token. */
export interface FhirConnectionView {
  id: string;
  name: string;
  baseUrl: string;
  authMode: FhirAuthMode;
  clientId: string | null;
  scope: string | null;
  hasBearerToken: boolean;
  eventTypes: string[];
  includeContent: boolean;
  enabled: boolean;
  capabilities: FhirCapabilities | null;
  capabilitiesCheckedAt: string | null;
  /** Where the EHR fetches Sealpost's public keys (smart-backend). */
  jwksPath: string;
  createdAt: string;
  updatedAt: string;
}

/** A connection as the sync and the connection test use it: the token opened. */
export interface FhirConnection {
  id: string;
  organisationId: string;
  baseUrl: string;
  authMode: FhirAuthMode;
  clientId: string | null;
  scope: string;
  bearerToken: string | null;
  eventTypes: string[];
  includeContent: boolean;
  enabled: boolean;
  capabilities: FhirCapabilities | null;
  /** Changes on every edit. */
  revision: string;
}
