import { gmailAddonUrls } from './gmail-addon-urls';

/**
 * The least Google needs: running in Gmail, acting on the open draft, and the person's email in
 * a signed ID token (how Sealpost knows who is asking). No scope reads mail.
 */
export const GMAIL_ADDON_SCOPES = [
  'https://www.googleapis.com/auth/gmail.addons.execute',
  'https://www.googleapis.com/auth/gmail.addons.current.action.compose',
  'https://www.googleapis.com/auth/userinfo.email',
] as const;

/**
 * The deployment resource (`projects.deployments`) for `gcloud workspace-add-ons deployments
 * create --deployment-file=...`: the homepage and compose triggers point at this install's
 * endpoints. `draftAccess: METADATA` hands the compose trigger the draft's recipients, which
 * the preview needs; the subject and body stay in Gmail.
 */
export function gmailDeploymentDescriptor(publicUrl: string): Record<string, unknown> {
  const urls = gmailAddonUrls(publicUrl);
  return {
    oauthScopes: [...GMAIL_ADDON_SCOPES],
    addOns: {
      common: {
        name: 'Sealpost',
        logoUrl: urls.logo,
        homepageTrigger: { runFunction: urls.homepage, enabled: true },
      },
      gmail: {
        composeTrigger: {
          actions: [{ runFunction: urls.compose, label: 'Sealpost', logoUrl: urls.logo }],
          draftAccess: 'METADATA',
        },
      },
      httpOptions: {
        authorizationHeader: 'SYSTEM_ID_TOKEN',
        granularOauthPermissionSupport: 'OPT_IN',
      },
    },
  };
}
