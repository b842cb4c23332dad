import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the fake provider answers the next calls. */
export type ProviderMode =
  | { kind: 'normal' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'status'; status: number }
  | { kind: 'garbage'; body: string }
  | { kind: 'hangup' };

/**
 * A small HTTP server on a real socket that plays a three-element verification provider (the contract in
 * README, "Identity verification"): it knows a register of people (ID number -> name and mobile) and answers
 * match / mismatch / not_found, or misbehaves as told. Tests read how often it was called.
 */
export class FakeIdentityProvider {
  readonly register = new Map<string, { name: string; mobile: string }>();
  readonly calls: Array<{ authorization: string | undefined; body: unknown }> = [];
  /** Modes used in turn, one per call; when empty, `fallback` answers. */
  readonly script: ProviderMode[] = [];
  fallback: ProviderMode = { kind: 'normal' };
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  url = '';

  constructor(readonly apiKey: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  person(idNumber: string, name: string, mobile: string): void {
    this.register.set(idNumber, { name, mobile });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown = null;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = null;
    }
    this.calls.push({ authorization: req.headers.authorization, body });
    const mode = this.script.shift() ?? this.fallback;
    if (mode.kind === 'hangup') {
      req.socket.destroy();
      return;
    }
    if (mode.kind === 'slow') await new Promise((r) => setTimeout(r, mode.delayMs));
    if (res.destroyed) return;
    if (mode.kind === 'status') return this.send(res, mode.status, { code: mode.status, message: 'provider failure' });
    if (mode.kind === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(mode.body);
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/identity/three-factor') return this.send(res, 404, { message: 'not found' });
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return this.send(res, 401, { message: 'bad key' });
    const { name, idNumber, mobile } = (body ?? {}) as { name?: string; idNumber?: string; mobile?: string };
    if (typeof name !== 'string' || typeof idNumber !== 'string' || typeof mobile !== 'string') return this.send(res, 400, { message: 'bad request' });
    const person = this.register.get(idNumber);
    const result = !person ? 'not_found' : person.name === name && person.mobile === mobile ? 'match' : 'mismatch';
    this.send(res, 200, { result, requestId: `fake-${this.calls.length}` });
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}
