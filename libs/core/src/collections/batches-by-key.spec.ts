import { batchesByKey } from './batches-by-key';

describe('batchesByKey', () => {
  it('keeps keys apart, caps each batch and keeps the order within a key', () => {
    const items = ['a1', 'b1', 'a2', 'a3', 'b2', 'a4'];

    const batches = batchesByKey(items, (item) => item[0], 2);

    expect(batches).toEqual([
      ['a1', 'a2'],
      ['b1', 'b2'],
      ['a3', 'a4'],
    ]);
  });

  it('gives no batch for no items', () => {
    expect(batchesByKey([], String, 3)).toEqual([]);
  });
});
