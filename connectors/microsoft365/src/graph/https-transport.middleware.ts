import { type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { httpsRequest } from './https-request';

/** The last link of the Graph client's chain: sends the request through node:https. */
export class HttpsTransportMiddleware implements Middleware {
  constructor(private readonly extraCa: string[]) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const options = context.options ?? {};
    const headers: Record<string, string> = {};
    new Headers(options.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const body = typeof options.body === 'string' ? options.body : undefined;
    context.response = await httpsRequest(
      url,
      { method: options.method ?? 'GET', headers, body },
      this.extraCa,
    );
  }
}
