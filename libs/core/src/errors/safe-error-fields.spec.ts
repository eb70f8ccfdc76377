import { safeErrorFields } from './safe-error-fields';

class DriverError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'DriverError';
  }
}

describe('safeErrorFields', () => {
  it('keeps the type, code and stack frames of an error', () => {
    const fields = safeErrorFields(new DriverError('duplicate key', '23505'));

    expect(fields.type).toBe('DriverError');
    expect(fields.code).toBe('23505');
    expect(fields.frames).toEqual(expect.arrayContaining([expect.stringMatching(/^at /)]));
  });

  it('drops the message, even where the stack repeats it', () => {
    const address = 'jane.doe@clinic.test';
    const error = new DriverError(`Key (address)=(${address}) already exists.`, '23505');

    const fields = safeErrorFields(error);

    expect(JSON.stringify(fields)).not.toContain(address);
    expect(Object.keys(fields)).not.toContain('message');
  });

  it('drops every line of a message that spans several lines', () => {
    const error = new Error('first line\nsecond line with jane.doe@clinic.test');

    expect(JSON.stringify(safeErrorFields(error))).not.toContain('jane.doe');
  });

  it('keeps at most eight frames', () => {
    const error = new Error('deep');
    error.stack = [
      'Error: deep',
      ...Array.from({ length: 20 }, (_, i) => `    at f${i} (x.ts)`),
    ].join('\n');

    expect(safeErrorFields(error).frames).toEqual(
      Array.from({ length: 8 }, (_, i) => `at f${i} (x.ts)`),
    );
  });

  it('gives only the type of a thrown value that is not an Error', () => {
    expect(safeErrorFields('jane.doe@clinic.test')).toEqual({ type: 'string' });
    expect(safeErrorFields({ to: 'jane.doe@clinic.test' })).toEqual({ type: 'object' });
    expect(safeErrorFields(undefined)).toEqual({ type: 'undefined' });
  });
});
