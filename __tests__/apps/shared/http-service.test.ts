import { request } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  createService,
  HttpError,
  METRICS,
  READY_TIMEOUT_MS,
  readJson,
  type ServiceOptions,
} from '../../../apps/shared/http-service';
import { call, listen, quietLogger } from '../../helpers/services';

function service(overrides: Partial<ServiceOptions> = {}) {
  return createService({
    name: 'test',
    logger: quietLogger(),
    ready: async () => true,
    drainSeconds: 0,
    timeoutSeconds: 5,
    routes: [
      {
        method: 'GET',
        path: '/items/:id',
        handler: async (_, { id }) => ({ status: 200, body: { id } }),
      },
      {
        method: 'POST',
        path: '/echo',
        handler: async (req) => ({ status: 200, body: await readJson(req) }),
      },
      {
        method: 'GET',
        path: '/boom',
        handler: async () => {
          throw new Error('secret detail at /srv/app.ts:12');
        },
      },
      {
        method: 'GET',
        path: '/teapot',
        handler: async () => {
          throw new HttpError(418, 'short and stout');
        },
      },
    ],
    ...overrides,
  });
}

describe('createService', () => {
  it('counts and times every request by method, route template and status', async () => {
    const svc = service();
    const url = await listen(svc);
    await call(`${url}/items/1`);
    await call(`${url}/items/2`);
    await call(`${url}/teapot`);
    await call(`${url}/no/such/path`);
    const metrics = (await call(`${url}/metrics`)).body as string;
    expect(metrics).toContain(
      `${METRICS.requests}{method="GET",route="/items/:id",status="200"} 2`,
    );
    expect(metrics).toContain(`${METRICS.requests}{method="GET",route="/teapot",status="418"} 1`);
    expect(metrics).toContain(`${METRICS.requests}{method="GET",route="unmatched",status="404"} 1`);
    expect(metrics).toMatch(
      new RegExp(
        `${METRICS.duration}_bucket\\{le="0.005",method="GET",route="/items/:id",status="200"\\} \\d`,
      ),
    );
    expect(metrics).toContain('process_cpu_seconds_total');
    await svc.shutdown('test');
  });

  it('answers HEAD wherever it answers GET, without a body', async () => {
    const svc = service();
    const url = await listen(svc);
    const head = await fetch(`${url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    await svc.shutdown('test');
  });

  it('answers an unexpected error with a bare 500 and logs it, stack and all', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const svc = service({ logger: pino({ level: 'info' }, sink) });
    const url = await listen(svc);
    const response = await call(`${url}/boom`);
    expect(response).toMatchObject({ status: 500, body: { error: 'internal error' } });
    expect(JSON.stringify(response.body)).not.toContain('secret');
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.find((l) => l.msg === 'request failed')).toMatchObject({
      level: 50,
      route: '/boom',
      err: { message: 'secret detail at /srv/app.ts:12', stack: expect.stringContaining('Error') },
    });
    expect(logged.find((l) => l.msg === 'request')).toMatchObject({ route: '/boom', status: 500 });
    await svc.shutdown('test');
  });

  it('reports not ready while draining, finishes the request in flight, then closes', async () => {
    const svc = service({ drainSeconds: 0.3 });
    const url = await listen(svc);
    const port = new URL(url).port;
    // A request whose body is not all sent yet: in flight when the drain starts.
    const inFlight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/echo',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': '14' },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write('{"still":');
      setTimeout(() => req.end('true}'), 200);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = svc.shutdown('SIGTERM');
    expect(await call(`${url}/readyz`)).toMatchObject({
      status: 503,
      body: { status: 'draining' },
    });
    expect(await inFlight).toEqual({ status: 200, body: '{"still":true}' });
    await closed;
    await expect(call(`${url}/healthz`)).rejects.toThrow();
  });

  it('reports not ready when the readiness check does not answer in time, without waiting for it', async () => {
    const svc = service({ ready: () => new Promise(() => undefined) });
    const url = await listen(svc);
    const started = Date.now();
    expect(await call(`${url}/readyz`)).toMatchObject({
      status: 503,
      body: { status: 'not ready' },
    });
    expect(Date.now() - started).toBeLessThan(READY_TIMEOUT_MS + 500);
    await svc.shutdown('test');
  });

  it('fails the shutdown when requests outlive its timeout', async () => {
    const svc = service({
      timeoutSeconds: 0.2,
      routes: [{ method: 'GET', path: '/slow', handler: () => new Promise(() => undefined) }],
    });
    const url = await listen(svc);
    const hanging = call(`${url}/slow`).catch(() => 'cut off');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(svc.shutdown('SIGTERM')).rejects.toThrow('cut off at the shutdown timeout');
    expect(await hanging).toBe('cut off');
  });
});
