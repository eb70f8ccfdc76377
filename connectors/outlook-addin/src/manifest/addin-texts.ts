/** Words both manifests show, kept in one place so the two never drift apart. */
export const ADDIN_TEXTS = {
  name: 'Sealpost',
  fullName: 'Sealpost secure send',
  shortDescription: 'Send protected health information securely from Outlook.',
  description:
    'Shows how each recipient will receive a message (PGP, S/MIME, verified TLS or the secure ' +
    'portal) and sends it securely with one click, or asks when a draft looks like it ' +
    'contains protected health information.',
  groupLabel: 'Sealpost',
  toggleLabel: 'Send securely',
  toggleTip: 'Switch secure sending on or off for this message.',
  paneLabel: 'Recipients',
  paneTip: 'See how each recipient will receive this message, and sign in to Sealpost.',
} as const;

/** Ids the browser code uses too (commands.ts, on-message-send.ts). */
export const ADDIN_IDS = {
  group: 'sealpostComposeGroup',
  toggleButton: 'sealpostToggleSecure',
  taskPaneButton: 'sealpostTaskPaneButton',
  toggleFunction: 'toggleSecure',
  sendHandler: 'onMessageSendHandler',
} as const;

/** Smart Alerts and the header and session-data calls need Mailbox 1.12 and no later. */
export const MAILBOX_REQUIREMENT = '1.12';
export const ADDIN_VERSION = '1.0.0';
