import { type DraftFacts } from './compose-item';

export interface PhiCheck {
  phiDetected: boolean;
  /** Detector names (`ssn`, `icd10`, ...), never the matched text. */
  detectors: string[];
  /** The organisation's subject tag; null when the policy has none. */
  subjectTag: string | null;
}

export interface AddinSettings {
  subjectTag: string | null;
}

export interface RecipientPreview {
  address: string;
  method: string;
  action: 'send' | 'drop';
  reasons: string[];
  protectionRequired: boolean;
  protectionReasons: string[];
}

/** Raised for 401: the token was revoked or expired and the person must sign in again. */
export class SignInRequired extends Error {
  constructor() {
    super('Sign in to Sealpost again.');
  }
}

/** Where the add-in keeps its token: the Office runtime's storage where it exists. */
export interface TokenStore {
  get(): Promise<string | null>;
  set(token: string): Promise<void>;
  clear(): Promise<void>;
}

/** The two calls an add-in token may make, and nothing else. */
export class SealpostAddinApi {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: TokenStore,
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  async settings(signal?: AbortSignal): Promise<AddinSettings> {
    return this.request<AddinSettings>('GET', '/v1/addin/settings', undefined, signal);
  }

  async phiCheck(draft: DraftFacts, signal?: AbortSignal): Promise<PhiCheck> {
    return this.request<PhiCheck>(
      'POST',
      '/v1/addin/phi-check',
      { subject: draft.subject, text: draft.text },
      signal,
    );
  }

  async preview(draft: DraftFacts, headers: Record<string, string>): Promise<RecipientPreview[]> {
    const answer = await this.request<{ recipients: RecipientPreview[] }>(
      'POST',
      '/v1/addin/preview',
      {
        from: draft.from,
        recipients: draft.recipients,
        subject: draft.subject,
        text: draft.text,
        headers,
      },
    );
    return answer.recipients;
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const token = await this.tokens.get();
    if (!token) {
      throw new SignInRequired();
    }
    const response = await this.fetcher(this.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    if (response.status === 401) {
      await this.tokens.clear();
      throw new SignInRequired();
    }
    if (!response.ok) {
      throw new Error(`Sealpost answered ${response.status}`);
    }
    return (await response.json()) as T;
  }
}
