export type Environment = 'development' | 'test' | 'production';

export interface TransportRoute {
  host: string;
  port: number;
}

export interface RelayConfig {
  host: string;
  port: number;
  /** smtps:// connects with TLS at once; smtp:// must upgrade with STARTTLS. */
  implicitTls: boolean;
  user?: string;
  password?: string;
}

export interface DatabaseConfig {
  url: string;
}

export interface RedisConfig {
  url: string;
  /** Bull key prefix, so several installs or test suites can share one Redis. */
  queuePrefix: string;
}

export interface HttpConfig {
  port: number;
  maxMessageBytes: number;
  maxRecipients: number;
}

export interface CryptoConfig {
  /** The key new ciphertexts are written with. */
  masterKey: Buffer;
  /** Keys that older ciphertexts may still name; read only. */
  previousMasterKeys: Buffer[];
  masterKeySource: 'environment' | 'generated-file';
}

export interface DeliveryConfig {
  ehloName: string;
  /**
   * SEALPOST_BOUNCE_DOMAIN: the domain of every copy's return path (`bounce+<token>@...`);
   * its MX must reach the SMTP gateway, which reads the delivery status notifications. Null
   * when unset and the EHLO name is no fully qualified name: receivers refuse such a sender
   * domain, so copies then leave with the sender's own address and bounces go to the sender.
   */
  bounceDomain: string | null;
  relay?: RelayConfig;
  transportMap: Map<string, TransportRoute>;
  extraCaPem: string[];
  retryBaseSeconds: number;
  retryMaxDelaySeconds: number;
  bounceAfterSeconds: number;
  leaseSeconds: number;
  workerConcurrency: number;
  connectionsPerRoute: number;
  connectTimeoutMs: number;
}

export interface EncryptionConfig {
  /**
   * From SEALPOST_SMIME_CA_FILE. When non-empty, a recipient S/MIME certificate must chain to
   * one of these to be stored or used; when empty, any issuer is accepted.
   */
  smimeTrustedCaPems: string[];
  wkd: WkdConfig;
}

export interface WkdConfig {
  /** SEALPOST_WKD_LOOKUP: ask recipients' Web Key Directories when no PGP key is stored. */
  enabled: boolean;
  /** Each HTTPS request of a lookup; a lookup makes at most two. */
  timeoutMs: number;
}

export interface LoggingConfig {
  level: string;
}

export interface PortalConfig {
  /** Where recipients reach this install's api, without a trailing slash; links start here. */
  publicUrl: string;
  /** How long a portal link works after it is sent. */
  linkDays: number;
  /** Code requests and code entries one IP address may make per 15 minutes. */
  attemptsPerIp: number;
}

export interface WebhooksConfig {
  /**
   * SEALPOST_WEBHOOK_ALLOW_PRIVATE: endpoints may be loopback, private or link-local, and plain
   * http. Off in production installs: it would let an API key make the server call inside the
   * network (SSRF).
   */
  allowPrivateAddresses: boolean;
  /** One delivery attempt, connect to last byte. */
  timeoutMs: number;
}

export interface AuditConfig {
  /** A signed checkpoint after this many records of an organisation... */
  checkpointEvery: number;
  /** ...or once the newest checkpoint is this old and records came since. */
  checkpointMinutes: number;
  /**
   * SEALPOST_AUDIT_SIGNING_KEY: an Ed25519 private key seed (32 bytes). Without it Sealpost
   * generates one and stores it sealed with the master key.
   */
  signingKeySeed?: Buffer;
}

export interface Microsoft365Config {
  /**
   * SEALPOST_M365_LOGIN_URL: the Microsoft identity platform, without a trailing slash; the
   * token endpoint is `<url>/<tenant>/oauth2/v2.0/token`. Tests point it at a loopback fake.
   */
  loginUrl: string;
  /** SEALPOST_M365_GRAPH_URL: Microsoft Graph's root, without the version segment. */
  graphUrl: string;
}

export interface GoogleWorkspaceConfig {
  /**
   * SEALPOST_GOOGLE_API_ROOT_URL: the root Admin SDK and Gmail calls go to, with a trailing
   * slash; null: each API's own (https://admin.googleapis.com/, https://gmail.googleapis.com/).
   */
  apiRootUrl: string | null;
  /** SEALPOST_GOOGLE_TOKEN_URL: where service-account assertions are exchanged for tokens. */
  tokenUrl: string;
  /**
   * SEALPOST_GOOGLE_CERTS_URL: Google's ID-token signing certificates (PEM by key id), for
   * Pub/Sub push tokens and the Gmail add-on's requests alike.
   */
  certsUrl: string;
}

export interface AddinsConfig {
  /**
   * SEALPOST_OUTLOOK_ADDIN_ID: the GUID that names the Outlook add-in in both manifests. Null:
   * one derived from the public URL, stable for the install.
   */
  outlookAddinId: string | null;
  /**
   * SEALPOST_GMAIL_ADDON_SERVICE_ACCOUNT: the add-on's service account
   * (`service-<project number>@gcp-sa-gsuiteaddons.iam.gserviceaccount.com`); Google signs
   * every request with it. Null: the Gmail endpoints refuse every request.
   */
  gmailServiceAccount: string | null;
  /** SEALPOST_GMAIL_ADDON_CLIENT_ID: the add-on's OAuth client id, audience of user ID tokens. */
  gmailOauthClientId: string | null;
}

export interface SealpostConfig {
  environment: Environment;
  dataDir: string;
  database: DatabaseConfig;
  redis: RedisConfig;
  http: HttpConfig;
  crypto: CryptoConfig;
  delivery: DeliveryConfig;
  encryption: EncryptionConfig;
  logging: LoggingConfig;
  portal: PortalConfig;
  audit: AuditConfig;
  webhooks: WebhooksConfig;
  googleWorkspace: GoogleWorkspaceConfig;
  microsoft365: Microsoft365Config;
  addins: AddinsConfig;
}
