import { type ServiceAccountKey } from './service-account-key';

/**
 * How Pub/Sub proves a push came from it: `oidc`, a Google-signed token in Authorization
 * (preferred); `token`, a secret in the endpoint's query string.
 */
export const GOOGLE_PUSH_AUTH_MODES = ['oidc', 'token'] as const;
export type GooglePushAuth = (typeof GOOGLE_PUSH_AUTH_MODES)[number];

/** `my_customer` names the customer of the admin the service account acts as. */
export const DEFAULT_CUSTOMER_ID = 'my_customer';

export interface GoogleConnectionInput {
  customerId?: string;
  domain?: string;
  adminSubject: string;
  /** The service account's JSON key file (object or text); sealed, never shown again. */
  serviceAccountKey: unknown;
  /** `projects/<project>/topics/<topic>`: Gmail publishes SENT changes there. */
  pubsubTopic?: string;
  pushAuth?: GooglePushAuth;
  /** The audience the push subscription's OIDC token names; default: the push endpoint URL. */
  pushAudience?: string;
  /** When set, only tokens Google issued for this service account are accepted. */
  pushServiceAccount?: string;
}

export type GoogleConnectionChanges = Partial<GoogleConnectionInput> & { enabled?: boolean };

/** The connection as the API shows it: never the key, and the push token only at creation. */
export interface GoogleConnectionView {
  id: string;
  customerId: string;
  domain: string | null;
  adminSubject: string;
  clientEmail: string;
  privateKeyId: string | null;
  pubsubTopic: string | null;
  pushAuth: GooglePushAuth;
  /** Give this to the Pub/Sub push subscription as its endpoint. */
  pushEndpoint: string;
  pushAudience: string;
  pushServiceAccount: string | null;
  enabled: boolean;
  directorySyncedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** `token` push auth: the secret, shown once, already part of pushEndpoint. */
  pushToken?: string;
}

/** The connection as the sync and the push endpoint use it: the key opened. */
export interface GoogleConnection {
  id: string;
  organisationId: string;
  customerId: string;
  adminSubject: string;
  key: ServiceAccountKey;
  pubsubTopic: string | null;
  pushAuth: GooglePushAuth;
  pushAudience: string;
  pushServiceAccount: string | null;
  pushTokenHash: Buffer | null;
  enabled: boolean;
  /** Changes on every edit; cached API clients are keyed by it. */
  revision: string;
}
