import { ADDIN_IDS, ADDIN_TEXTS, ADDIN_VERSION, MAILBOX_REQUIREMENT } from './addin-texts';
import { type IconSize, outlookAddinUrls } from './addin-urls';

/**
 * The add-in-only (XML) manifest for Outlook, as admins upload it in the Microsoft 365 admin
 * center: a compose ribbon group (the "Send securely" switch and the task pane), and
 * OnMessageSend event-based activation with Smart Alerts in SoftBlock mode, so a send goes on
 * if the add-in cannot load. Every URL starts with the install's public URL.
 */
export function outlookXmlManifest(publicUrl: string, addinId: string): string {
  const urls = outlookAddinUrls(publicUrl);
  const image = (size: IconSize) =>
    `<bt:Image id="Icon.${size}" DefaultValue="${xml(urls.icon(size))}"/>`;
  const icons =
    `<bt:Image size="16" resid="Icon.16"/><bt:Image size="32" resid="Icon.32"/>` +
    `<bt:Image size="80" resid="Icon.80"/>`;

  return `<?xml version="1.0" encoding="UTF-8"?>
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0"
  xmlns:mailappor="http://schemas.microsoft.com/office/mailappversionoverrides/1.0"
  xsi:type="MailApp">
  <Id>${xml(addinId)}</Id>
  <Version>${ADDIN_VERSION}.0</Version>
  <ProviderName>Sealpost</ProviderName>
  <DefaultLocale>en-US</DefaultLocale>
  <DisplayName DefaultValue="${xml(ADDIN_TEXTS.name)}"/>
  <Description DefaultValue="${xml(ADDIN_TEXTS.shortDescription)}"/>
  <IconUrl DefaultValue="${xml(urls.icon(64))}"/>
  <HighResolutionIconUrl DefaultValue="${xml(urls.icon(128))}"/>
  <SupportUrl DefaultValue="${xml(urls.support)}"/>
  <AppDomains>
    <AppDomain>${xml(urls.origin)}</AppDomain>
  </AppDomains>
  <Hosts>
    <Host Name="Mailbox"/>
  </Hosts>
  <Requirements>
    <Sets>
      <Set Name="Mailbox" MinVersion="1.1"/>
    </Sets>
  </Requirements>
  <FormSettings>
    <Form xsi:type="ItemEdit">
      <DesktopSettings>
        <SourceLocation DefaultValue="${xml(urls.taskpane)}"/>
      </DesktopSettings>
    </Form>
  </FormSettings>
  <Permissions>ReadWriteItem</Permissions>
  <Rule xsi:type="RuleCollection" Mode="Or">
    <Rule xsi:type="ItemIs" ItemType="Message" FormType="Edit"/>
  </Rule>
  <DisableEntityHighlighting>false</DisableEntityHighlighting>
  <VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides" xsi:type="VersionOverridesV1_0">
    <VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides/1.1" xsi:type="VersionOverridesV1_1">
      <Requirements>
        <bt:Sets DefaultMinVersion="${MAILBOX_REQUIREMENT}">
          <bt:Set Name="Mailbox"/>
        </bt:Sets>
      </Requirements>
      <Hosts>
        <Host xsi:type="MailHost">
          <Runtimes>
            <Runtime resid="Commands.Url">
              <Override type="javascript" resid="Commands.Js"/>
            </Runtime>
          </Runtimes>
          <DesktopFormFactor>
            <FunctionFile resid="Commands.Url"/>
            <ExtensionPoint xsi:type="MessageComposeCommandSurface">
              <OfficeTab id="TabDefault">
                <Group id="${ADDIN_IDS.group}">
                  <Label resid="Group.Label"/>
                  <Control xsi:type="Button" id="${ADDIN_IDS.toggleButton}">
                    <Label resid="Toggle.Label"/>
                    <Supertip>
                      <Title resid="Toggle.Label"/>
                      <Description resid="Toggle.Tip"/>
                    </Supertip>
                    <Icon>${icons}</Icon>
                    <Action xsi:type="ExecuteFunction">
                      <FunctionName>${ADDIN_IDS.toggleFunction}</FunctionName>
                    </Action>
                  </Control>
                  <Control xsi:type="Button" id="${ADDIN_IDS.taskPaneButton}">
                    <Label resid="Pane.Label"/>
                    <Supertip>
                      <Title resid="Pane.Label"/>
                      <Description resid="Pane.Tip"/>
                    </Supertip>
                    <Icon>${icons}</Icon>
                    <Action xsi:type="ShowTaskpane">
                      <SourceLocation resid="Taskpane.Url"/>
                    </Action>
                  </Control>
                </Group>
              </OfficeTab>
            </ExtensionPoint>
            <ExtensionPoint xsi:type="LaunchEvent">
              <LaunchEvents>
                <LaunchEvent Type="OnMessageSend" SendMode="SoftBlock"
                  FunctionName="${ADDIN_IDS.sendHandler}"/>
              </LaunchEvents>
              <SourceLocation resid="Commands.Url"/>
            </ExtensionPoint>
          </DesktopFormFactor>
        </Host>
      </Hosts>
      <Resources>
        <bt:Images>
          ${image(16)}
          ${image(32)}
          ${image(80)}
        </bt:Images>
        <bt:Urls>
          <bt:Url id="Commands.Url" DefaultValue="${xml(urls.commandsPage)}"/>
          <bt:Url id="Commands.Js" DefaultValue="${xml(urls.commandsScript)}"/>
          <bt:Url id="Taskpane.Url" DefaultValue="${xml(urls.taskpane)}"/>
        </bt:Urls>
        <bt:ShortStrings>
          <bt:String id="Group.Label" DefaultValue="${xml(ADDIN_TEXTS.groupLabel)}"/>
          <bt:String id="Toggle.Label" DefaultValue="${xml(ADDIN_TEXTS.toggleLabel)}"/>
          <bt:String id="Pane.Label" DefaultValue="${xml(ADDIN_TEXTS.paneLabel)}"/>
        </bt:ShortStrings>
        <bt:LongStrings>
          <bt:String id="Toggle.Tip" DefaultValue="${xml(ADDIN_TEXTS.toggleTip)}"/>
          <bt:String id="Pane.Tip" DefaultValue="${xml(ADDIN_TEXTS.paneTip)}"/>
        </bt:LongStrings>
      </Resources>
    </VersionOverrides>
  </VersionOverrides>
</OfficeApp>
`;
}

function xml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
