/**
 * What both reference services share: routing with route-labelled metrics, one JSON log line per
 * request, JSON errors that never leak a stack trace, probes, and a graceful drain on SIGTERM.
 * Compiled into each service's image (apps/<service>/tsconfig.build.json).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The metric names the service stacks' dashboards and alerts read (environments/services.ts). */
export const METRICS = {
  requests: 'http_requests_total',
  duration: 'http_request_duration_seconds',
} as const;

/** An error a client caused: its status and message are returned as `{"error": …}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export type Params = Readonly<Record<string, string>>;
export type Handler = (request: IncomingMessage, params: Params) => Promise<Reply>;
export interface Reply {
  readonly status: number;
  /** JSON-encoded unless a string, sent with `contentType`. */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}
export interface Route {
  /** An HTTP method, or `*` for any. */
  readonly method: string;
  /** `/api/carts/:id`, or a prefix `/api/*`: the route label of its metrics. */
  readonly path: string;
  readonly handler: Handler;
}

export function createLogger(level: string, service: string): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}

/**
 * The status of a request its client gave up on before it was read (nginx's convention): not a
 * server error, so the 5xx alerts never count it.
 */
export const CLIENT_CLOSED_REQUEST = 499;

/** Reads a request body of at most `limit` bytes, refusing a larger one with a 413. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new HttpError(413, `the body must be at most ${limit} bytes`);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The client hung up mid-body (Node: "aborted", ECONNRESET): its doing, not the server's.
    throw new HttpError(CLIENT_CLOSED_REQUEST, 'the client closed the request');
  }
  return Buffer.concat(chunks);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A UTF-16 surrogate without its pair. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether any string (or key) of a parsed JSON value is not well-formed Unicode. */
function malformedString(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(malformedString);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(
      ([key, item]) => LONE_SURROGATE.test(key) || malformedString(item),
    );
  }
  return false;
}

/** Reads a JSON request body of at most `limit` bytes. */
export async function readJson(request: IncomingMessage, limit = 16 * 1024): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, 'the body must be JSON (Content-Type: application/json)');
  }
  const body = await readBody(request, limit);
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    // Not replaced by U+FFFD and stored: refused.
    throw new HttpError(400, 'the body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
  // A lone surrogate (`"\ud800"`) parses, but no UTF-8 text can hold it: PostgreSQL would store
  // U+FFFD in its place.
  if (malformedString(value)) {
    throw new HttpError(400, 'the body holds a string that is not well-formed Unicode');
  }
  return value;
}

/** The route for a request; HEAD is served wherever GET is. Throws 400 on a malformed path. */
function match(routes: readonly Route[], requested: string, url: string) {
  const path = url.split('?')[0];
  const method = requested === 'HEAD' ? 'GET' : requested;
  const allowed: string[] = [];
  for (const route of routes) {
    const names: string[] = [];
    const pattern = route.path
      .replace(/:(\w+)/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      })
      .replace(/\/\*$/, '/.*');
    const found = new RegExp(`^${pattern}$`).exec(path);
    if (!found) continue;
    if (route.method !== method && route.method !== '*') {
      allowed.push(route.method);
      continue;
    }
    try {
      const params = Object.fromEntries(
        names.map((name, i) => [name, decodeURIComponent(found[i + 1])]),
      );
      return { route, params };
    } catch {
      throw new HttpError(400, 'the path is not valid (a malformed % escape)');
    }
  }
  return { allowed };
}

/** A readiness check that has not answered in this time counts as not ready (the kubelet's probe gives up at 1 s by default; ours answers first). */
export const READY_TIMEOUT_MS = 900;

async function withinReadyTimeout(check: Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>(
    (resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)),
  );
  try {
    return await Promise.race([check.catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ServiceOptions {
  readonly name: string;
  readonly routes: readonly Route[];
  readonly logger: Logger;
  /** Whether the service can take traffic (the database answers, …); `/readyz` asks it. */
  readonly ready: () => Promise<boolean>;
  readonly drainSeconds: number;
  readonly timeoutSeconds: number;
  /** Closes what the service holds (pools), after the last request. */
  readonly close?: () => Promise<void>;
  /**
   * A readiness check that has not answered in this time counts as not ready.
   * @default READY_TIMEOUT_MS
   */
  readonly readyTimeoutMs?: number;
  /**
   * Waits out the drain (`drainSeconds`, in milliseconds) before the listener closes; a test
   * ends it when it has looked at the draining service.
   * @default a timer of `ms` milliseconds
   */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface Service {
  readonly server: Server;
  readonly registry: Registry;
  /** Drains and closes: `/readyz` fails for `drainSeconds`, then the listener closes. */
  shutdown(reason: string): Promise<void>;
}

/** The service's HTTP server, with `/healthz`, `/readyz` and `/metrics` beside its routes. */
export function createService(options: ServiceOptions): Service {
  const {
    logger,
    readyTimeoutMs = READY_TIMEOUT_MS,
    sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  } = options;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: METRICS.requests,
    help: 'HTTP requests served, by method, route and status.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: METRICS.duration,
    help: 'HTTP request duration in seconds, by method, route and status.',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  let draining = false;

  const probes: Route[] = [
    {
      method: 'GET',
      path: '/healthz',
      handler: async () => ({ status: 200, body: { status: 'ok' } }),
    },
    {
      method: 'GET',
      path: '/readyz',
      handler: async () => {
        const ready = !draining && (await withinReadyTimeout(options.ready(), readyTimeoutMs));
        return {
          status: ready ? 200 : 503,
          body: { status: ready ? 'ready' : draining ? 'draining' : 'not ready' },
        };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async () => ({
        status: 200,
        body: await registry.metrics(),
        contentType: registry.contentType,
      }),
    },
  ];
  const routes = [...probes, ...options.routes];

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const method = request.method ?? 'GET';
    let route = 'unmatched';
    let reply: Reply;
    try {
      const found = match(routes, method, request.url ?? '/');
      if ('route' in found && found.route) route = found.route.path;
      if ('route' in found && found.route) reply = await found.route.handler(request, found.params);
      else if (found.allowed.length > 0)
        throw new HttpError(405, `use ${found.allowed.join(' or ')}`, {
          Allow: found.allowed.join(', '),
        });
      else throw new HttpError(404, 'no such resource');
    } catch (error) {
      if (error instanceof HttpError) {
        reply = { status: error.status, body: { error: error.message }, headers: error.headers };
      } else {
        logger.error({ err: error, method, route }, 'request failed');
        reply = { status: 500, body: { error: 'internal error' } };
      }
    }
    const body =
      typeof reply.body === 'string'
        ? reply.body
        : reply.body === undefined
          ? ''
          : JSON.stringify(reply.body);
    response.writeHead(reply.status, {
      'Content-Type': reply.contentType ?? 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...reply.headers,
      ...(draining ? { Connection: 'close' } : {}),
    });
    response.end(method === 'HEAD' ? undefined : body);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const labels = { method, route, status: String(reply.status) };
    requests.inc(labels);
    duration.observe(labels, seconds);
    if (!route.endsWith('z') && route !== '/metrics') {
      logger.info({ ...labels, status: reply.status, ms: Math.round(seconds * 1000) }, 'request');
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: error }, 'response failed');
      response.destroy();
    });
  });
  // A request Node's parser refuses (both Content-Length and Transfer-Encoding, headers over its
  // limit, a malformed line) gets the JSON error contract too, not Node's bare 400.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      error: tooLarge
        ? 'the request line and headers are too large'
        : 'the request is not valid HTTP/1.1',
    });
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n' +
        body,
    );
    requests.inc({ method: 'unparsed', route: 'unparsed', status: String(status) });
  });
  server.keepAliveTimeout = 65_000; // above the ALB's idle timeout (60 s), so the ALB closes first
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;

  let closing: Promise<void> | undefined;
  function shutdown(reason: string): Promise<void> {
    closing ??= (async () => {
      logger.info({ reason, drainSeconds: options.drainSeconds }, 'draining');
      draining = true;
      let timedOut = false;
      const deadline = setTimeout(() => {
        timedOut = true;
        logger.error({ timeoutSeconds: options.timeoutSeconds }, 'shutdown timed out');
        server.closeAllConnections();
      }, options.timeoutSeconds * 1000);
      deadline.unref();
      await sleep(options.drainSeconds * 1000);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearTimeout(deadline);
      await options.close?.();
      if (timedOut) throw new Error('requests were cut off at the shutdown timeout');
      logger.info('stopped');
    })();
    return closing;
  }

  return { server, registry, shutdown };
}

/** Listens on `port` and drains on SIGTERM or SIGINT, then exits (1 if the drain timed out). */
export function run(service: Service, port: number, logger: Logger): void {
  service.server.listen(port, () => logger.info({ port }, 'listening'));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      service.shutdown(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}
