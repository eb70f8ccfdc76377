import { createHash } from 'node:crypto';
import { type UnhashedAuditRecord } from './audit-record';
import { canonicalForm, GENESIS_HASH, recordHash } from './canonical-record';

function record(overrides: Partial<UnhashedAuditRecord> = {}): UnhashedAuditRecord {
  return {
    organisationId: '6f1c2d3e-4b5a-4c6d-8e7f-901234567890',
    sequence: 7,
    recordedAt: new Date('2026-03-01T09:30:00.125Z'),
    actor: { type: 'api_key', id: 'a0b1c2d3-0000-4000-8000-000000000001' },
    action: 'workflow.published',
    target: { type: 'workflow', id: 'w-1' },
    outcome: 'success',
    details: { version: 3, note: 'é"\\' },
    previousHash: GENESIS_HASH,
    ...overrides,
  };
}

describe('canonical audit record', () => {
  it('is a JSON array of the fields in their documented order, without whitespace', () => {
    expect(canonicalForm(record())).toBe(
      '["sealpost-audit-v1","6f1c2d3e-4b5a-4c6d-8e7f-901234567890","7",' +
        '"2026-03-01T09:30:00.125Z","api_key","a0b1c2d3-0000-4000-8000-000000000001",' +
        '"workflow.published","workflow","w-1","success",{"note":"é\\"\\\\","version":3}]',
    );
  });

  it('sorts detail keys by code unit, integer-like keys included', () => {
    const a = canonicalForm(record({ details: { b: 1, '10': 'x', '9': 'y', a: null } }));
    const b = canonicalForm(record({ details: { a: null, '9': 'y', b: 1, '10': 'x' } }));

    expect(a).toBe(b);
    expect(a.endsWith('{"10":"x","9":"y","a":null,"b":1}]')).toBe(true);
  });

  it('hashes SHA-256 over the previous hash bytes and then the UTF-8 canonical form', () => {
    const previousHash = createHash('sha256').update('previous').digest();
    const linked = record({ previousHash });

    const expected = createHash('sha256')
      .update(Buffer.concat([previousHash, Buffer.from(canonicalForm(linked), 'utf8')]))
      .digest();
    expect(recordHash(linked).equals(expected)).toBe(true);
  });

  it.each<[string, Partial<UnhashedAuditRecord>]>([
    ['sequence', { sequence: 8 }],
    ['time', { recordedAt: new Date('2026-03-01T09:30:00.126Z') }],
    ['actor', { actor: { type: 'system', id: 'a0b1c2d3-0000-4000-8000-000000000001' } }],
    ['action', { action: 'workflow.paused' }],
    ['target', { target: { type: 'workflow', id: 'w-2' } }],
    ['outcome', { outcome: 'failure' }],
    ['details', { details: { version: 4, note: 'é"\\' } }],
    ['organisation', { organisationId: '6f1c2d3e-4b5a-4c6d-8e7f-901234567891' }],
    ['previous hash', { previousHash: Buffer.alloc(32, 1) }],
  ])('changes when the %s changes', (_field, change) => {
    expect(recordHash(record(change)).equals(recordHash(record()))).toBe(false);
  });

  it('does not let one field bleed into the next (JSON quoting keeps them apart)', () => {
    const split = record({ target: { type: 'work', id: 'flow' } });
    const joined = record({ target: { type: 'workf', id: 'low' } });

    expect(recordHash(split).equals(recordHash(joined))).toBe(false);
  });
});
