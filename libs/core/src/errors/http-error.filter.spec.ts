import {
  type ArgumentsHost,
  BadRequestException,
  ForbiddenException,
  HttpException,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ErrorCode } from './error-code';
import { HttpErrorFilter } from './http-error.filter';
import { SealpostError } from './sealpost-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Records what the filter writes; stands in for the Express response. */
class RecordingResponse {
  statusCode?: number;
  body?: unknown;
  writes = 0;

  constructor(readonly headersSent = false) {}

  status(code: number): this {
    this.statusCode = code;
    this.writes += 1;
    return this;
  }

  json(body: unknown): this {
    this.body = body;
    this.writes += 1;
    return this;
  }
}

function hostFor(response: RecordingResponse): ArgumentsHost {
  const http = {
    getResponse: () => response,
    getRequest: () => ({}),
    getNext: () => undefined,
  };
  return { switchToHttp: () => http, getType: () => 'http' } as unknown as ArgumentsHost;
}

describe('HttpErrorFilter', () => {
  let filter: HttpErrorFilter;
  let loggedErrors: jest.SpyInstance;

  const respond = (exception: unknown): RecordingResponse => {
    const response = new RecordingResponse();
    filter.catch(exception, hostFor(response));
    return response;
  };

  beforeEach(() => {
    filter = new HttpErrorFilter();
    loggedErrors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    loggedErrors.mockRestore();
  });

  describe('a SealpostError', () => {
    it('answers with the status of its code and the stable body', () => {
      const response = respond(new SealpostError(ErrorCode.NotFound, 'No such message.'));

      expect(response.statusCode).toBe(404);
      expect(response.body).toEqual({
        code: 'not_found',
        message: 'No such message.',
        errorId: expect.stringMatching(UUID),
      });
    });

    it('includes its details when there are some', () => {
      const details = [{ path: 'to[0]', message: 'is not a valid email address' }];

      const response = respond(
        new SealpostError(ErrorCode.ValidationFailed, 'The message is not valid.', details),
      );

      expect(response.statusCode).toBe(422);
      expect(response.body).toMatchObject({ code: 'validation_failed', details });
    });

    it('leaves out an empty details list', () => {
      const response = respond(new SealpostError(ErrorCode.ValidationFailed, 'Bad.', []));

      expect(response.body).not.toHaveProperty('details');
    });

    it('does not log a client error', () => {
      respond(new SealpostError(ErrorCode.TooManyRecipients, 'Too many.'));

      expect(loggedErrors).not.toHaveBeenCalled();
    });

    it('logs a server-side code such as service_unavailable', () => {
      const response = respond(new SealpostError(ErrorCode.ServiceUnavailable, 'Try later.'));

      expect(response.statusCode).toBe(503);
      expect(loggedErrors).toHaveBeenCalledTimes(1);
    });
  });

  describe('a Nest HttpException', () => {
    it.each([
      ['BadRequestException', new BadRequestException(), 400, ErrorCode.ValidationFailed],
      ['UnauthorizedException', new UnauthorizedException(), 401, ErrorCode.Unauthenticated],
      ['ForbiddenException', new ForbiddenException(), 403, ErrorCode.InsufficientScope],
      ['NotFoundException', new NotFoundException(), 404, ErrorCode.NotFound],
      ['PayloadTooLargeException', new PayloadTooLargeException(), 413, ErrorCode.PayloadTooLarge],
      [
        'UnsupportedMediaTypeException',
        new UnsupportedMediaTypeException(),
        415,
        ErrorCode.UnsupportedMediaType,
      ],
    ])('maps a %s to %i and its code', (_name, exception, status, code) => {
      const response = respond(exception);

      expect(response.statusCode).toBe(status);
      expect(response.body).toEqual({
        code,
        message: expect.any(String),
        errorId: expect.stringMatching(UUID),
      });
    });

    it('does not echo the exception message, which may quote the request', () => {
      const response = respond(new BadRequestException('to.0 jane.doe@clinic.test is invalid'));

      expect(JSON.stringify(response.body)).not.toContain('jane.doe');
      expect(response.body).toMatchObject({ message: 'The request is not valid.' });
    });

    it('keeps the status of a 5xx exception and logs it', () => {
      const response = respond(new HttpException('upstream down', 502));

      expect(response.statusCode).toBe(502);
      expect(response.body).toMatchObject({ code: 'internal_error' });
      expect(JSON.stringify(response.body)).not.toContain('upstream down');
      expect(loggedErrors).toHaveBeenCalledTimes(1);
    });
  });

  describe('an unexpected error', () => {
    it('answers 500 with an errorId and never the error message', () => {
      const secret = 'password=hunter2 for postgres://db.internal';

      const response = respond(new Error(secret));

      expect(response.statusCode).toBe(500);
      expect(response.body).toEqual({
        code: 'internal_error',
        message: 'Something went wrong on our side. Quote the errorId when reporting it.',
        errorId: expect.stringMatching(UUID),
      });
      expect(JSON.stringify(response.body)).not.toContain('hunter2');
    });

    it('answers 500 to a thrown value that is not an Error', () => {
      const response = respond('jane.doe@clinic.test');

      expect(response.statusCode).toBe(500);
      expect(JSON.stringify(response.body)).not.toContain('jane.doe');
    });

    it('logs the errorId it answered with, and the error type but not its message', () => {
      const response = respond(new TypeError('cannot read jane.doe@clinic.test'));

      expect(loggedErrors).toHaveBeenCalledTimes(1);
      const [logged] = loggedErrors.mock.calls[0] as [Record<string, unknown>];
      expect(logged.errorId).toBe((response.body as { errorId: string }).errorId);
      expect(logged.err).toMatchObject({ type: 'TypeError' });
      expect(JSON.stringify(logged)).not.toContain('jane.doe');
    });

    it('gives each failure its own errorId', () => {
      const first = respond(new Error('a')).body as { errorId: string };
      const second = respond(new Error('a')).body as { errorId: string };

      expect(first.errorId).not.toBe(second.errorId);
    });
  });

  it('writes nothing when the response has already started', () => {
    const response = new RecordingResponse(true);

    filter.catch(new Error('late'), hostFor(response));

    expect(response.writes).toBe(0);
  });
});
