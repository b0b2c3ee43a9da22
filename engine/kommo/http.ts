/**
 * One HTTP exchange with Kommo on axios, turned into an outcome value: an answer (any status), a timeout,
 * or a network failure. Nothing here retries, limits or interprets statuses (transport.ts and classify.ts
 * do). Bodies are read as text and parsed here, because Kommo's 429 and 403 come as HTML in the field
 * (amocrm-api-php #526, #434) and a 204 has no body at all.
 */
import axios, { type AxiosError } from 'axios';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | (string | number)[];

export interface HttpRequest {
  method: HttpMethod;
  path: string;
  query?: Record<string, QueryValue | undefined>;
  body?: unknown;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
}

export type HttpOutcome =
  | { kind: 'response'; status: number; body: unknown; json: boolean; text: string }
  | { kind: 'timeout' }
  | { kind: 'network'; message: string; errno?: string };

export interface Http {
  send(req: HttpRequest): Promise<HttpOutcome>;
}

/** `filter[id][]=1&filter[id][]=2`: brackets kept readable, as Kommo's docs write them. */
export function queryString(query: HttpRequest['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) params.append(k, String(x));
    else params.append(k, String(v));
  }
  const s = params.toString().replace(/%5B/g, '[').replace(/%5D/g, ']');
  return s ? `?${s}` : '';
}

export function createHttp(options: { baseUrl: string; timeoutMs: number }): Http {
  const client = axios.create({
    baseURL: options.baseUrl.replace(/\/+$/, ''),
    timeout: options.timeoutMs,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxRedirects: 0,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
    headers: { Accept: 'application/json', 'User-Agent': 'hookline' },
  });
  return {
    async send(req) {
      const headers: Record<string, string> = {};
      if (req.token) headers.Authorization = `Bearer ${req.token}`;
      if (req.body !== undefined) headers['Content-Type'] = 'application/json';
      try {
        const res = await client.request<string>({
          method: req.method,
          url: `${req.path}${queryString(req.query)}`,
          headers,
          data: req.body === undefined ? undefined : JSON.stringify(req.body),
        });
        const text = typeof res.data === 'string' ? res.data : '';
        if (text.trim() === '') return { kind: 'response', status: res.status, body: undefined, json: false, text };
        try {
          return { kind: 'response', status: res.status, body: JSON.parse(text) as unknown, json: true, text };
        } catch {
          return { kind: 'response', status: res.status, body: text, json: false, text };
        }
      } catch (e) {
        const err = e as AxiosError;
        if (err.code === 'ETIMEDOUT' || err.code === 'ECONNABORTED') return { kind: 'timeout' };
        const errno = (err.cause as NodeJS.ErrnoException | undefined)?.code ?? err.code;
        return errno === undefined ? { kind: 'network', message: err.message } : { kind: 'network', message: err.message, errno };
      }
    },
  };
}
