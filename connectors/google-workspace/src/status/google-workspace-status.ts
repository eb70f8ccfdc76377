/**
 * `ok`: the last sync worked and every mailbox is watched; `degraded`: it works but some
 * mailboxes have errors or lapsed watches; `failing`: the last attempt failed;
 * `disabled`; `not_configured`: the organisation has no connection.
 */
export type ConnectorHealth = 'ok' | 'degraded' | 'failing' | 'disabled' | 'not_configured';

export interface GoogleWorkspaceStatus {
  connector: 'google-workspace';
  health: ConnectorHealth;
  connectionId: string | null;
  lastDirectorySyncAt: string | null;
  /** A code and an HTTP status (e.g. `directory: auth_refused (401)`), never a body. */
  lastError: { summary: string; at: string | null } | null;
  counts: {
    users: number;
    groups: number;
    groupMembers: number;
    mailboxes: number;
    watchedMailboxes: number;
    mailboxesWithErrors: number;
    /** Sent messages that bypassed the gateway, audited in the last 7 days. */
    bypassedLast7Days: number;
    /** Sent messages still waiting for the gateway's receipt (judged within 15 minutes). */
    undecidedSentMessages: number;
  };
  lastHistorySyncAt: string | null;
  /** When the hourly maintenance next renews a watch (now, if one is due). */
  nextWatchRenewalAt: string | null;
}

/** What an aggregate `/v1/connectors` view needs of this connector. */
export interface ConnectorSummary {
  connector: 'google-workspace';
  health: ConnectorHealth;
  lastSyncAt: string | null;
  lastError: string | null;
}
