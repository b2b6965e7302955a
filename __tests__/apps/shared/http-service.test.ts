import { connect } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import {
  createService,
  HttpError,
  METRICS,
  READY_TIMEOUT_MS,
  readJson,
  type ServiceOptions,
} from '../../../apps/shared/http-service';
import { call, listen, quietLogger } from '../../helpers/services';

/** A promise and its resolve, for a step the test (or the service) ends on cue. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

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
    // Each step waits on the one before it, not on a timer: the request is held in its handler
    // until the test releases it, and the drain lasts until the test ends it. The shutdown's
    // own limit is far beyond the few milliseconds the steps take.
    const arrived = deferred();
    const release = deferred();
    const drainStarted = deferred<number>();
    const drainOver = deferred();
    const svc = service({
      drainSeconds: 5,
      timeoutSeconds: 60,
      sleep: (ms) => {
        drainStarted.resolve(ms);
        return drainOver.promise;
      },
      routes: [
        {
          method: 'GET',
          path: '/held',
          handler: async () => {
            arrived.resolve();
            await release.promise;
            return { status: 200, body: { held: true } };
          },
        },
      ],
    });
    const url = await listen(svc);
    const inFlight = call(`${url}/held`);
    await arrived.promise;

    let stopped = false;
    const closed = svc.shutdown('SIGTERM').finally(() => (stopped = true));
    expect(await drainStarted.promise).toBe(5000);
    expect(await call(`${url}/readyz`)).toMatchObject({
      status: 503,
      body: { status: 'draining' },
    });

    drainOver.resolve();
    // The listener closes after the drain, but the shutdown waits for the request in flight.
    await vi.waitFor(() => expect(svc.server.listening).toBe(false), { timeout: 30_000 });
    expect(stopped).toBe(false);
    release.resolve();
    expect(await inFlight).toMatchObject({ status: 200, body: { held: true } });
    await closed;
    await expect(call(`${url}/healthz`)).rejects.toThrow();
  });

  it('reports not ready when the readiness check does not answer in time, without waiting for it', async () => {
    // The check never answers, so only the timeout can end the probe: a short one keeps the test
    // quick, and what is asserted is the answer, not how long it took.
    const svc = service({ ready: () => new Promise(() => undefined), readyTimeoutMs: 50 });
    const url = await listen(svc);
    expect(await call(`${url}/readyz`)).toMatchObject({
      status: 503,
      body: { status: 'not ready' },
    });
    await svc.shutdown('test');
  });

  it("answers readiness within the kubelet's default probe timeout (1 s)", () => {
    expect(READY_TIMEOUT_MS).toBeLessThan(1000);
  });

  it('fails the shutdown when requests outlive its timeout', async () => {
    // The request never ends, so the short timeout always cuts it off, however slow the machine.
    const arrived = deferred();
    const svc = service({
      timeoutSeconds: 0.2,
      routes: [
        {
          method: 'GET',
          path: '/slow',
          handler: () => {
            arrived.resolve();
            return new Promise(() => undefined);
          },
        },
      ],
    });
    const url = await listen(svc);
    const hanging = call(`${url}/slow`).catch(() => 'cut off');
    await arrived.promise;
    await expect(svc.shutdown('SIGTERM')).rejects.toThrow('cut off at the shutdown timeout');
    expect(await hanging).toBe('cut off');
  });
});

/** Sends raw bytes and returns the raw answer (what Node's parser refuses, fetch cannot send). */
function raw(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('hostile input', () => {
  it("answers a request Node's parser refuses with the JSON error contract", async () => {
    const svc = service();
    const url = await listen(svc);
    try {
      const smuggled = await raw(
        url,
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      );
      expect(smuggled).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(smuggled).toContain('Content-Type: application/json; charset=utf-8');
      expect(smuggled.split('\r\n\r\n')[1]).toBe('{"error":"the request is not valid HTTP/1.1"}');
      const long = await raw(url, `GET /items/${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(long).toMatch(/^HTTP\/1\.1 431 /);
      expect(JSON.parse(long.split('\r\n\r\n')[1] ?? '')).toEqual({
        error: 'the request line and headers are too large',
      });
      const metrics = (await call(`${url}/metrics`)).body as string;
      expect(metrics).toContain(
        `${METRICS.requests}{method="unparsed",route="unparsed",status="400"} 1`,
      );
    } finally {
      await svc.shutdown('test');
    }
  });

  it('refuses text that is not well-formed: invalid UTF-8, a lone surrogate', async () => {
    const svc = service();
    const url = await listen(svc);
    const post = async (body: string | Uint8Array) => {
      const response = await fetch(`${url}/echo`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      });
      return { status: response.status, body: (await response.json()) as unknown };
    };
    try {
      expect(
        await post(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])),
      ).toMatchObject({
        status: 400,
        body: { error: 'the body is not valid UTF-8' },
      });
      expect(await post('{"name": "\\ud800"}')).toMatchObject({
        status: 400,
        body: { error: 'the body holds a string that is not well-formed Unicode' },
      });
      expect(await post('{"\\udc00": 1}')).toMatchObject({ status: 400 });
      // A pair is fine.
      expect(await post('{"name": "\\ud83d\\ude00"}')).toMatchObject({
        status: 200,
        body: { name: '😀' },
      });
    } finally {
      await svc.shutdown('test');
    }
  });

  it('counts a client that hangs up mid-body as 499, not a server error', async () => {
    const svc = service();
    const url = await listen(svc);
    try {
      const { hostname, port } = new URL(url);
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), hostname, () => {
          socket.write(
            'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
          );
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 50);
        });
      });
      let metrics = '';
      for (let i = 0; i < 50 && !metrics.includes('status="499"'); i++) {
        await new Promise((r) => setTimeout(r, 20));
        metrics = (await call(`${url}/metrics`)).body as string;
      }
      expect(metrics).toContain(`${METRICS.requests}{method="POST",route="/echo",status="499"} 1`);
      expect(metrics).not.toMatch(/status="5\d\d"/);
    } finally {
      await svc.shutdown('test');
    }
  });
});
