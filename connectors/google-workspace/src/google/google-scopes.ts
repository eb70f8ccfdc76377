/** What the service account is granted by domain-wide delegation, per use. */
export const DIRECTORY_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.readonly',
];

/**
 * Headers and labels only: message bodies stay out of Sealpost's reach. It forbids `q` in
 * messages.list, so the full sync bounds its window by date itself.
 */
export const GMAIL_SCOPES = ['https://www.googleapis.com/auth/gmail.metadata'];

/** The token URL google-auth-library posts to and names as the assertion's audience. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
