/**
 * What a report holds: counts only, never addresses, subjects or content. Copies are
 * recipient copies of messages accepted in the range; activity (portal, engagement) is events
 * that happened in the range. Days are UTC.
 */
export interface ReportFigures {
  methods: MethodCount[];
  outcomes: OutcomeCount[];
  bounces: BounceFigures;
  portal: PortalFigures;
  engagement: EngagementFigures;
  days: DayFigures[];
}

/** `none`: delivered unprotected because policy required nothing; `failed`: not delivered. */
export const REPORT_METHODS = ['pgp', 'smime', 'tls', 'portal', 'none', 'failed', 'pending'];
export const REPORT_OUTCOMES = ['delivered', 'bounced', 'failed', 'pending'];

export interface MethodCount {
  method: string;
  copies: number;
}

export interface OutcomeCount {
  outcome: string;
  copies: number;
}

export interface BounceFigures {
  total: number;
  /** `5.1.x` from an enhanced status code, else `5xx` from the reply code, else `unknown`. */
  byClass: { statusClass: string; copies: number }[];
}

export interface PortalFigures {
  views: number;
  downloads: number;
  replies: number;
  lockouts: number;
}

export interface EngagementFigures {
  opens: number;
  clicks: number;
  uniqueOpenedMessages: number;
  uniqueClickedMessages: number;
}

export interface DayFigures {
  /** YYYY-MM-DD, UTC. */
  day: string;
  messages: number;
  copies: number;
  delivered: number;
  bounced: number;
  failed: number;
  pending: number;
  opens: number;
  clicks: number;
  portalViews: number;
}
