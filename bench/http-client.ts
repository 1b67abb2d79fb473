/** A keep-alive HTTP client for the local runtime that can speak from several loopback addresses (one per simulated client machine). */
import { Agent, request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: any;
  readonly ms: number;
}

/** A call with no answer by then is a transport failure (API Gateway's own limit is 29 s). */
const REQUEST_TIMEOUT_MS = 60_000;

export class LocalClient {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly baseUrl: string) {}

  private agent(localAddress: string): Agent {
    let agent = this.agents.get(localAddress);
    // With a socket timeout set, Node's agent honours the server's `Keep-Alive: timeout=N` and
    // drops an idle socket a second before the server would: without one it keeps idle sockets
    // indefinitely, and a request sent on one the server is closing dies with ECONNRESET.
    if (!agent) this.agents.set(localAddress, (agent = new Agent({ keepAlive: true, maxSockets: 256, localAddress, timeout: REQUEST_TIMEOUT_MS } as never)));
    return agent;
  }

  call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string>; from?: string } = {}): Promise<HttpAnswer> {
    const url = new URL(path, this.baseUrl);
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const from = options.from ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method,
          agent: this.agent(from),
          localAddress: from,
          headers: {
            ...(options.token && { Authorization: `Bearer ${options.token}` }),
            ...(body && { 'Content-Type': 'application/json', 'Content-Length': String(body.length) }),
            ...options.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, ms: performance.now() - started });
          });
          res.on('error', reject);
        },
      );
      // Set on the request, not as its `timeout` option: an option equal to the agent's leaves a
      // reused socket with the 1 s idle timeout the keep-alive hint gave it.
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`timeout ${method} ${path}`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
  }
}

/** Loopback source addresses 127.0.0.2 .. 127.0.0.(1+n): per-address limits apply to each as to one client machine. */
export const loopbackAddress = (i: number, n = 8) => `127.0.0.${2 + (i % n)}`;
