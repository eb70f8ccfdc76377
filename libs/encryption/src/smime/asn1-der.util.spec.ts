import forge from 'node-forge';
import { cmsTime, encodeDer, octetString, oid, parseDer, setOf } from './asn1-der.util';

describe('ASN.1 DER helpers', () => {
  it('sorts SET OF members by their encodings, as DER requires', () => {
    const long = octetString(Buffer.from('bbbb'));
    const short = octetString(Buffer.from('a'));
    const anOid = oid('2.5.4.3');

    const der = encodeDer(setOf([long, anOid, short]));

    expect(der.toString('hex')).toBe(
      '31' + '0e' + '0401' + '61' + '0404' + '62626262' + '0603' + '550403',
    );
  });

  it('re-encodes parsed DER to the same bytes, bit strings included', () => {
    const der = Buffer.from('300a' + '0303' + '05a000' + '0403' + '010203', 'hex');

    expect(encodeDer(parseDer(der)).equals(der)).toBe(true);
  });

  it('writes UTCTime before 2050 and GeneralizedTime from 2050 on', () => {
    const before = cmsTime(new Date('2049-12-31T23:59:59Z'));
    const after = cmsTime(new Date('2050-01-01T00:00:00Z'));

    expect(before.type).toBe(forge.asn1.Type.UTCTIME);
    expect(before.value).toBe('491231235959Z');
    expect(after.type).toBe(forge.asn1.Type.GENERALIZEDTIME);
    expect(after.value).toBe('20500101000000Z');
  });
});
