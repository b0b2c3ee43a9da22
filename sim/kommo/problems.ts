/**
 * Kommo-shaped answers: status, content type and body as Kommo sends them. Bodies of the errors come from
 * https://developers.kommo.com/docs/http-codes unless the comment says otherwise; the choices made without
 * a source are listed in differences.ts.
 */

/** What a route answers; the server turns it into an HTTP response. `body: undefined` sends no body (204). */
export interface SimReply {
  status: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export const HAL_JSON = 'application/hal+json';
export const PROBLEM_JSON = 'application/problem+json';
export const HTML = 'text/html';

export function ok(body: unknown, status = 200): SimReply {
  return { status, body, contentType: HAL_JSON };
}

/** An empty list, a search with no match, a page past the end, an id that does not exist. */
export function noContent(): SimReply {
  return { status: 204 };
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 422: 'Unprocessable Entity', 429: 'Too Many Requests',
};

export function problem(status: number, detail: string, extra: Record<string, unknown> = {}): SimReply {
  const title = TITLES[status] ?? 'Error';
  return { status, contentType: PROBLEM_JSON, body: { title, type: `https://httpstatus.es/${status}`, status, detail, ...extra } };
}

export function unauthorized(detail = 'Invalid user name or password'): SimReply {
  return problem(401, detail);
}

/** Also what a body that is not JSON gets: Kommo's PHP side decodes it to nothing (see differences.ts). */
export function emptyBody(): SimReply {
  return problem(400, 'Request data can not be empty');
}

export interface FieldError {
  code: string;
  path: string;
  detail: string;
}

export interface ValidationItem {
  request_id: string;
  errors: FieldError[];
}

export function validationFailed(items: ValidationItem[]): SimReply {
  return {
    status: 400,
    contentType: PROBLEM_JSON,
    body: { 'validation-errors': items, title: 'Bad Request', type: 'https://httpstatus.es/400', status: 400, detail: 'Request validation failed' },
  };
}

export function notFound(method: string, url: string): SimReply {
  return problem(404, `Cannot ${method} ${url}`);
}

export function methodNotAllowed(): SimReply {
  return problem(405, 'Method Not Allowed');
}

export function limitExceeded(limit: number): SimReply {
  return problem(422, `Limit ${limit} per page`);
}

/** nginx's stock error page, which is what Kommo's edge sends for 429 and 403 in the field. */
function nginxPage(status: number, text: string): string {
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

export type TooManyRequestsBody = 'json' | 'html';

/**
 * The documented body is JSON with `retry_after: 300`; in the field it was an HTML page without a
 * Retry-After header (https://github.com/amocrm/amocrm-api-php/issues/526). Both are offered.
 */
export function tooManyRequests(kind: TooManyRequestsBody): SimReply {
  if (kind === 'html') return { status: 429, contentType: HTML, body: nginxPage(429, 'Too Many Requests') };
  return problem(429, 'You have sent too many requests in a given amount of time. Please try again later.', { retry_after: 300 });
}

/** The IP block after repeated 429s: an nginx page (https://github.com/amocrm/amocrm-api-php/issues/434, /issues/563). */
export function blocked(): SimReply {
  return { status: 403, contentType: HTML, body: nginxPage(403, 'Forbidden') };
}

let traceSeq = 0;

/** 500 has Kommo's JSON body; 502, 503 and 504 come from the nginx edge as HTML pages. */
export function serverError(status = 500): SimReply {
  if (status === 500) {
    traceSeq += 1;
    return {
      status, contentType: PROBLEM_JSON,
      body: { title: 'ErrInternalServer', status: 500, detail: 'Our team are probably already working on the elimination of the problem', trace_id: `sim-${traceSeq.toString(16).padStart(8, '0')}` },
    };
  }
  const text: Record<number, string> = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' };
  return { status, contentType: HTML, body: nginxPage(status, text[status] ?? 'Error') };
}

/**
 * The OAuth error body seen in the field (amoCRM's OAuthProblemJson; the `hint` strings are those of
 * league/oauth2-server, which Kommo's PHP side evidently uses).
 */
export function oauthProblem(hint: string, status = 400): SimReply {
  return {
    status, contentType: PROBLEM_JSON,
    body: { hint, title: 'Некорректный запрос', type: 'https://developers.amocrm.ru/v3/errors/OAuthProblemJson', status, detail: 'В запросе отсутствует ряд параметров или параметры невалидны' },
  };
}
