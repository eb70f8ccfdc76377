import { type Scope } from './scopes';

/** Who is calling: every service method takes this first and scopes its queries by it. */
export interface AuthContext {
  organisationId: string;
  apiKeyId: string;
  scopes: readonly Scope[];
}
