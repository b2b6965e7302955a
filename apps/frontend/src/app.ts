import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { appRoot } from '../../shared/app-root';
import {
  createService,
  readBody,
  HttpError,
  type Reply,
  type Route,
  type Service,
} from '../../shared/http-service';

/** The page and its assets, served from memory: nothing else of the disk is reachable. */
const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-cache',
  // The page is only ever served over HTTPS (the ALB redirects port 80): browsers that saw it
  // once refuse a downgrade for a year.
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
};

/** Passes an `/api/*` request to the backend and returns its answer (JSON, small). */
async function forward(
  apiUrl: string,
  timeoutMs: number,
  incoming: IncomingMessage,
): Promise<Reply> {
  // The path goes to the backend as it came, never resolved against the backend's URL: a dot
  // segment (`/api/../metrics`) or an encoded slash would reach beyond /api.
  const path = incoming.url ?? '/';
  const segments = path.split('?')[0].split('/');
  if (
    !path.startsWith('/api/') ||
    segments.some((s) => /^(\.|%2e)+$/i.test(s) || /%2f|%5c|\\/i.test(s))
  ) {
    throw new HttpError(400, 'the path is not valid');
  }
  const body = await readBody(incoming, 64 * 1024);
  const base = new URL(apiUrl);
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Reply>((resolve, reject) => {
    const outgoing = send(
      {
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port,
        path,
        method: incoming.method,
        headers: {
          accept: 'application/json',
          ...(incoming.headers['content-type']
            ? { 'content-type': incoming.headers['content-type'] }
            : {}),
          'content-length': String(body.length),
        },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 502,
            body: Buffer.concat(chunks).toString('utf8'),
            contentType: response.headers['content-type'] ?? 'application/json; charset=utf-8',
            headers: response.headers.allow ? { Allow: String(response.headers.allow) } : {},
          }),
        );
      },
    );
    outgoing.on('timeout', () =>
      outgoing.destroy(new HttpError(504, 'the cart service did not answer in time')),
    );
    outgoing.on('error', (error) =>
      reject(
        error instanceof HttpError ? error : new HttpError(502, 'the cart service is unavailable'),
      ),
    );
    outgoing.end(body);
  });
}

export interface FrontendOptions {
  readonly apiUrl: string;
  readonly logger: Logger;
  readonly drainSeconds: number;
  readonly timeoutSeconds: number;
  /** How long the backend may take to answer. @default 10000 */
  readonly apiTimeoutMs?: number;
  /** @default the `public/` directory beside the service's package.json */
  readonly publicDir?: string;
}

/** The frontend: the cart page, and `/api/*` passed to the backend. */
export function createFrontend(options: FrontendOptions): Service {
  const publicDir = options.publicDir ?? join(appRoot(__dirname), 'public');
  const routes: Route[] = Object.entries(ASSETS).map(([path, { file, type }]) => {
    const content = readFileSync(join(publicDir, file), 'utf8');
    return {
      method: 'GET',
      path,
      handler: async () => ({
        status: 200,
        body: content,
        contentType: type,
        headers: PAGE_HEADERS,
      }),
    };
  });
  routes.push({
    method: '*',
    path: '/api/*',
    handler: (request) => forward(options.apiUrl, options.apiTimeoutMs ?? 10_000, request),
  });
  return createService({
    name: 'frontend',
    routes,
    logger: options.logger,
    drainSeconds: options.drainSeconds,
    timeoutSeconds: options.timeoutSeconds,
    // The page is served from memory: the frontend is ready once it listens. A backend outage
    // shows as 502s on /api, not as the frontend leaving the load balancer.
    ready: async () => true,
  });
}
