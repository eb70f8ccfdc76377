import { ADDIN_IDS, ADDIN_TEXTS, ADDIN_VERSION, MAILBOX_REQUIREMENT } from './addin-texts';
import { outlookAddinUrls } from './addin-urls';

/** The schema version the unified manifest is written for (app-manifest's JSON schemas). */
export const UNIFIED_MANIFEST_VERSION = '1.24';
/** File names of the two icons inside the app package, as the unified manifest wants them. */
export const UNIFIED_ICONS = { color: 'color.png', outline: 'outline.png' } as const;

/**
 * The unified manifest for Microsoft 365 (JSON): the same ribbon commands and OnMessageSend
 * handler as the XML manifest, for tenants that deploy add-ins as Teams-style app packages
 * (this file zipped with color.png and outline.png, both served beside it).
 */
export function outlookUnifiedManifest(
  publicUrl: string,
  addinId: string,
): Record<string, unknown> {
  const urls = outlookAddinUrls(publicUrl);
  const requirements = {
    scopes: ['mail'],
    capabilities: [{ name: 'Mailbox', minVersion: MAILBOX_REQUIREMENT }],
  };
  const icons = [16, 32, 80].map((size) => ({ size, url: urls.icon(size as 16 | 32 | 80) }));

  return {
    $schema: `https://developer.microsoft.com/json-schemas/teams/v${UNIFIED_MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    manifestVersion: UNIFIED_MANIFEST_VERSION,
    id: addinId,
    version: ADDIN_VERSION,
    developer: {
      name: 'Sealpost',
      websiteUrl: publicUrl,
      privacyUrl: urls.support,
      termsOfUseUrl: urls.support,
    },
    name: { short: ADDIN_TEXTS.name, full: ADDIN_TEXTS.fullName },
    description: { short: ADDIN_TEXTS.shortDescription, full: ADDIN_TEXTS.description },
    icons: UNIFIED_ICONS,
    accentColor: '#1F5FAA',
    validDomains: [new URL(publicUrl).host],
    authorization: {
      permissions: {
        resourceSpecific: [{ name: 'MailboxItem.ReadWrite.User', type: 'Delegated' }],
      },
    },
    extensions: [
      {
        requirements,
        runtimes: [
          {
            id: 'CommandsRuntime',
            type: 'general',
            code: { page: urls.commandsPage, script: urls.commandsScript },
            lifetime: 'short',
            actions: [
              { id: ADDIN_IDS.toggleFunction, type: 'executeFunction' },
              { id: ADDIN_IDS.sendHandler, type: 'executeFunction' },
            ],
          },
          {
            id: 'TaskPaneRuntime',
            type: 'general',
            code: { page: urls.taskpane },
            lifetime: 'short',
            actions: [{ id: 'openTaskPane', type: 'openPage', pinnable: false }],
          },
        ],
        ribbons: [
          {
            contexts: ['mailCompose'],
            tabs: [
              {
                builtInTabId: 'TabDefault',
                groups: [
                  {
                    id: ADDIN_IDS.group,
                    label: ADDIN_TEXTS.groupLabel,
                    icons,
                    controls: [
                      {
                        id: ADDIN_IDS.toggleButton,
                        type: 'button',
                        label: ADDIN_TEXTS.toggleLabel,
                        icons,
                        supertip: {
                          title: ADDIN_TEXTS.toggleLabel,
                          description: ADDIN_TEXTS.toggleTip,
                        },
                        actionId: ADDIN_IDS.toggleFunction,
                      },
                      {
                        id: ADDIN_IDS.taskPaneButton,
                        type: 'button',
                        label: ADDIN_TEXTS.paneLabel,
                        icons,
                        supertip: {
                          title: ADDIN_TEXTS.paneLabel,
                          description: ADDIN_TEXTS.paneTip,
                        },
                        actionId: 'openTaskPane',
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
        autoRunEvents: [
          {
            requirements,
            events: [
              {
                type: 'messageSending',
                actionId: ADDIN_IDS.sendHandler,
                options: { sendMode: 'softBlock' },
              },
            ],
          },
        ],
      },
    ],
  };
}
