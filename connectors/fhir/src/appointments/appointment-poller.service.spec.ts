import { pollSearchParams } from './appointment-poller.service';

describe('pollSearchParams', () => {
  it('keeps a parameter given twice, and adds sort, page size and the cursor', () => {
    const params = pollSearchParams(
      'status=booked%2Ccancelled&date=ge2026-06-01&date=le2026-12-31',
      '2026-06-01T08:00:00.123Z',
      100,
    );

    expect(params).toEqual({
      status: 'booked,cancelled',
      date: ['ge2026-06-01', 'le2026-12-31'],
      _sort: '_lastUpdated',
      _count: '100',
      _lastUpdated: 'ge2026-06-01T08:00:00.123Z',
    });
  });

  it('asks for everything the search finds before there is a cursor', () => {
    expect(pollSearchParams('status=booked', null, 20)).toEqual({
      status: 'booked',
      _sort: '_lastUpdated',
      _count: '20',
    });
  });
});
