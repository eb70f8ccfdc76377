import { classOf, parseDeliveryStatus, statusCodeOf } from './delivery-status';

describe('parseDeliveryStatus', () => {
  it('reads the per-message block and each recipient block, unfolding long values', () => {
    const report = parseDeliveryStatus(
      [
        'Reporting-MTA: dns; mail.relay.example',
        'X-Postfix-Queue-ID: 4F1C32A0F3',
        '',
        'Final-Recipient: rfc822; jane@patients.example',
        'Original-Recipient: rfc822;Jane@Patients.example',
        'Action: failed',
        'Status: 5.1.1',
        'Remote-MTA: dns; mx.patients.example',
        'Diagnostic-Code: smtp; 550 5.1.1 <jane@patients.example>: Recipient address',
        '    rejected: User unknown',
        '',
        'final-recipient: RFC822; <omar@patients.example>',
        'ACTION: Delayed (retrying)',
        'status: 4.4.7',
        '',
      ].join('\r\n'),
    );

    expect(report.reportingMta).toBe('dns; mail.relay.example');
    expect(report.recipients).toEqual([
      {
        action: 'failed',
        status: '5.1.1',
        finalRecipient: 'jane@patients.example',
        originalRecipient: 'Jane@Patients.example',
        diagnosticCode:
          'smtp; 550 5.1.1 <jane@patients.example>: Recipient address rejected: User unknown',
        remoteMta: 'dns; mx.patients.example',
      },
      {
        action: 'delayed',
        status: '4.4.7',
        finalRecipient: 'omar@patients.example',
        originalRecipient: null,
        diagnosticCode: null,
        remoteMta: null,
      },
    ]);
  });

  it('leaves an unknown action and a malformed status null', () => {
    const [entry] = parseDeliveryStatus(
      'Reporting-MTA: dns; a\n\nAction: exploded\nStatus: 5.x',
    ).recipients;

    expect(entry).toMatchObject({ action: null, status: null });
  });

  it('returns no recipients for text without fields', () => {
    expect(parseDeliveryStatus('not a report at all').recipients).toEqual([]);
  });
});

describe('statusCodeOf and classOf', () => {
  it.each([
    ['5.1.1', '5.1.1', 'hard'],
    ['4.4.7 (delivery time expired)', '4.4.7', 'soft'],
    ['5.01.001', '5.1.1', 'hard'],
    ['2.0.0', '2.0.0', null],
  ])('reads %p as %p (%p)', (value, code, bounceClass) => {
    expect(statusCodeOf(value)).toBe(code);
    expect(classOf(code)).toBe(bounceClass);
  });

  it.each(['', '550', '6.1.1', 'x.1.1'])('finds no status in %p', (value) => {
    expect(statusCodeOf(value)).toBeNull();
  });
});
