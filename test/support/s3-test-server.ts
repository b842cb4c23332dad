import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A real S3-compatible server for tests: @20minutes/s3rver (npm) in a child process on a free port, over a
 * scratch directory, with the given buckets. Its access key and secret are S3RVER/S3RVER.
 */
export class S3TestServer {
  private child: ChildProcess | null = null;
  private readonly directory = mkdtempSync(join(tmpdir(), 'il-s3rver-'));
  port = 0;
  readonly accessKeyId = 'S3RVER';
  readonly secretAccessKey = 'S3RVER';

  constructor(private readonly buckets: string[]) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const script = fileURLToPath(new URL('./cjs/s3rver.cjs', import.meta.url));
    const child = spawn(process.execPath, [script, this.directory, ...this.buckets], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.child = child;
    this.port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`s3rver did not start: ${out}`)), 20_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /s3rver listening on (\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`s3rver exited with ${code}: ${out}`));
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/**
 * s3rver ignores `If-None-Match: *` on PUT (AWS S3 and MinIO honour it): this HTTP proxy in front of it adds
 * just that, as S3 does. A PUT carrying it is held while an earlier one of the same path runs, and answered
 * 412 PreconditionFailed when the object exists (an unsigned HEAD, which s3rver allows), else forwarded.
 * Every other request is forwarded unchanged (the signature covers the forwarded headers as they are).
 */
export class ConditionalPutProxy {
  private readonly server: http.Server;
  private readonly locks = new Map<string, Promise<void>>();
  port = 0;
  /** PUTs answered 412 (lets a test show the conditional path was taken). */
  refused = 0;

  constructor(private readonly upstreamPort: number) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'PUT' || req.headers['if-none-match'] !== '*') return this.forward(req, res);
    const path = req.url!.split('?')[0];
    const previous = this.locks.get(path) ?? Promise.resolve();
    let release!: () => void;
    const mine = previous.then(() => new Promise<void>((r) => (release = r)));
    this.locks.set(path, mine);
    await previous;
    try {
      const status = await new Promise<number>((resolve, reject) => {
        http.request({ host: '127.0.0.1', port: this.upstreamPort, method: 'HEAD', path }, (r) => (r.resume(), resolve(r.statusCode!))).on('error', reject).end();
      });
      if (status === 200) {
        this.refused += 1;
        req.resume();
        res.writeHead(412, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>');
        return;
      }
      await this.forward(req, res);
    } finally {
      release();
      if (this.locks.get(path) === mine) this.locks.delete(path);
    }
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const upstream = http.request({ host: '127.0.0.1', port: this.upstreamPort, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
        r.on('end', resolve);
        r.on('error', () => resolve());
      });
      upstream.on('error', () => {
        res.destroy();
        resolve();
      });
      req.pipe(upstream);
    });
  }
}
