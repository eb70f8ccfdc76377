import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { convert } from 'office-addin-manifest-converter';
import { OfficeAddinManifest } from 'office-addin-manifest';
import { parseStringPromise } from 'xml2js';
import { ADDIN_IDS, MAILBOX_REQUIREMENT } from './addin-texts';
import { derivedAddinId } from './addin-urls';
import { outlookUnifiedManifest, UNIFIED_MANIFEST_VERSION } from './unified-manifest';
import { outlookXmlManifest } from './xml-manifest';

// office-addin-manifest's file tools require ESM-only builds of strip-bom and uuid, which
// Jest's CommonJS runtime cannot load; each stands in with its one function.
jest.mock(
  require.resolve('strip-bom', { paths: [require.resolve('@microsoft/app-manifest')] }),
  () => (text: string) => text.replace(/^\uFEFF/, ''),
);
jest.mock(require.resolve('uuid', { paths: [require.resolve('office-addin-manifest')] }), () => ({
  v4: () => globalThis.crypto.randomUUID(),
}));

const BASE = 'https://mail.north.example/sealpost';
const ID = '6f1c2a9e-0b7d-4c1e-9a55-3f2d8e4b7c10';

/** The unified manifest's JSON schema as Microsoft publishes it (@microsoft/app-manifest). */
function teamsSchema(version: string) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const folder = '@microsoft/app-manifest/build/json-schemas/teams';
  const schema = `${folder}/v${version}/MicrosoftTeams.schema.json`;
  return ajv.compile(JSON.parse(readFileSync(require.resolve(schema), 'utf8')));
}

/** Every http(s) URL in a text. */
function urlsIn(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^"'\s<]+/g)].map((match) => match[0]);
}

const SCHEMA_HOSTS = [
  'http://schemas.microsoft.com',
  'http://www.w3.org',
  'https://developer.microsoft.com',
];

describe('Outlook manifests', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sealpost-manifest-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('unified (JSON) manifest', () => {
    const manifest = outlookUnifiedManifest(BASE, ID);

    it(`is valid against the v${UNIFIED_MANIFEST_VERSION} schema`, () => {
      const validate = teamsSchema(UNIFIED_MANIFEST_VERSION);
      const valid = validate(manifest);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    });

    it('is refused by the schema when broken, so the check can fail', () => {
      const validate = teamsSchema(UNIFIED_MANIFEST_VERSION);
      expect(validate({ ...manifest, id: 'not-a-guid', accentColor: undefined })).toBe(false);
    });

    it('runs the send handler on messageSending in soft-block mode, Mailbox 1.12', () => {
      const [extension] = manifest.extensions as any[];
      expect(extension.autoRunEvents[0].events).toEqual([
        {
          type: 'messageSending',
          actionId: ADDIN_IDS.sendHandler,
          options: { sendMode: 'softBlock' },
        },
      ]);
      expect(extension.requirements.capabilities).toEqual([
        { name: 'Mailbox', minVersion: MAILBOX_REQUIREMENT },
      ]);
      const controls = extension.ribbons[0].tabs[0].groups[0].controls.map((c: any) => c.id);
      expect(controls).toEqual([ADDIN_IDS.toggleButton, ADDIN_IDS.taskPaneButton]);
    });

    it('points every URL at the configured public URL', () => {
      const urls = urlsIn(JSON.stringify(manifest)).filter(
        (url) => !SCHEMA_HOSTS.some((host) => url.startsWith(host)),
      );
      expect(urls.length).toBeGreaterThan(5);
      for (const url of urls) {
        expect(url.startsWith(BASE)).toBe(true);
      }
      expect(manifest.validDomains).toEqual(['mail.north.example']);
    });
  });

  describe('XML (add-in only) manifest', () => {
    const xml = outlookXmlManifest(BASE, ID);

    it('is read by office-addin-manifest as a mail add-in with this id', async () => {
      const path = join(dir, 'manifest.xml');
      writeFileSync(path, xml);
      const info = await OfficeAddinManifest.readManifestFile(path);
      expect(info.id).toBe(ID);
      expect(info.displayName).toBe('Sealpost');
      expect(info.hosts).toEqual(['Mailbox']);
      expect(info.defaultLocale).toBe('en-US');
    });

    it("converts by Microsoft's converter to a unified manifest its schema accepts", async () => {
      const path = join(dir, 'converted.xml');
      writeFileSync(path, xml);
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      await convert(path, join(dir, 'converted'), false);
      log.mockRestore();
      const converted = JSON.parse(readFileSync(join(dir, 'converted', 'manifest.json'), 'utf8'));
      const validate = teamsSchema(converted.manifestVersion);
      const valid = validate(converted);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);

      const events = converted.extensions[0].autoRunEvents.flatMap((run: any) => run.events);
      expect(events).toEqual([
        {
          type: 'messageSending',
          actionId: ADDIN_IDS.sendHandler,
          options: { sendMode: 'softBlock' },
        },
      ]);
    });

    it('needs Mailbox 1.12 and handles OnMessageSend in SoftBlock mode', async () => {
      const parsed = await parseStringPromise(xml);
      const inner = parsed.OfficeApp.VersionOverrides[0].VersionOverrides[0];
      expect(inner.$['xsi:type']).toBe('VersionOverridesV1_1');
      expect(inner.Requirements[0]['bt:Sets'][0].$.DefaultMinVersion).toBe(MAILBOX_REQUIREMENT);

      const form = inner.Hosts[0].Host[0].DesktopFormFactor[0];
      const launch = form.ExtensionPoint.find(
        (point: any) => point.$['xsi:type'] === 'LaunchEvent',
      );
      expect(launch.LaunchEvents[0].LaunchEvent[0].$).toEqual({
        Type: 'OnMessageSend',
        FunctionName: ADDIN_IDS.sendHandler,
        SendMode: 'SoftBlock',
      });
      const compose = form.ExtensionPoint.find(
        (point: any) => point.$['xsi:type'] === 'MessageComposeCommandSurface',
      );
      const controls = compose.OfficeTab[0].Group[0].Control.map((control: any) => control.$.id);
      expect(controls).toEqual([ADDIN_IDS.toggleButton, ADDIN_IDS.taskPaneButton]);
    });

    it('points every URL at the configured public URL', () => {
      const urls = urlsIn(xml).filter((url) => !SCHEMA_HOSTS.some((host) => url.startsWith(host)));
      expect(urls.length).toBeGreaterThan(5);
      for (const url of urls) {
        expect(url.startsWith('https://mail.north.example')).toBe(true);
      }
      expect(
        urls
          .filter((url) => url !== 'https://mail.north.example')
          .every((url) => url.startsWith(BASE)),
      ).toBe(true);
    });
  });

  it('derives one stable add-in id per public URL', () => {
    expect(derivedAddinId(BASE)).toBe(derivedAddinId(BASE));
    expect(derivedAddinId(BASE)).not.toBe(derivedAddinId('https://other.example'));
    expect(derivedAddinId(BASE)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
