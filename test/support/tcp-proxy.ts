import net from 'node:net';

/**
 * How new connections are treated while the proxy is cut:
 * - `reset`: accepted, then reset at once (the client sees ECONNRESET or a closed socket right after connecting);
 * - `blackhole`: accepted and held silent, nothing forwarded and nothing answered (a partition: the client
 *   only notices through its own timeouts); held sockets are destroyed on restore() and close();
 * - `refuse`: the listener is closed, so connecting fails with ECONNREFUSED; restore() listens again on the
 *   same port;
 * - `freeze`: unlike the others, current connections are NOT destroyed but go silent (nothing forwarded either
 *   way, no FIN, no RST: a peer that lost power or a dropped network), and new ones are held like `blackhole`.
 *   restore() destroys the frozen connections (as a peer that came back would reset them).
 */
export type CutMode = 'reset' | 'blackhole' | 'refuse' | 'freeze';

/**
 * A small controllable TCP proxy for fault tests: listens on 127.0.0.1 (port 0 = any free port) and forwards
 * every connection to `target`. `cut()` destroys every current connection (both sides) and treats new ones
 * by `mode`; `restore()` forwards again. The shared MariaDB and Redis are never touched: only the sockets
 * between the code under test and this proxy are.
 */
export class TcpProxy {
  private server: net.Server;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket; end: () => void }>();
  private readonly held = new Set<net.Socket>();
  private mode: CutMode | null = null;
  private closed = false;
  private listenPort = 0;
  /** Connections accepted (in any state) since start: lets a test show that a client really reconnected. */
  accepted = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = this.createServer();
  }

  /** Starts a proxy to `target` ("host:port", or a mysql:// / redis:// URL whose host and port are used). */
  static async start(target: string): Promise<TcpProxy> {
    const { host, port } = parseTarget(target);
    const proxy = new TcpProxy(host, port);
    await proxy.listen(0);
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  get isCut(): boolean {
    return this.mode !== null;
  }

  /** Connections currently forwarded. */
  get openConnections(): number {
    return this.pairs.size;
  }

  /** `url` with its host and port replaced by this proxy's (credentials, path and query kept). */
  url(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.listenPort);
    return u.toString();
  }

  /** Destroys every current connection and treats new ones by `mode` until restore(). */
  async cut(mode: CutMode = 'reset'): Promise<void> {
    if (this.closed) throw new Error('proxy is closed');
    this.mode = mode;
    if (mode === 'freeze') {
      for (const pair of this.pairs) {
        // Nothing crosses any more, not even one side closing.
        for (const socket of [pair.client, pair.upstream]) {
          socket.off('close', pair.end);
          socket.off('error', pair.end);
          socket.on('error', () => undefined);
        }
        pair.client.unpipe(pair.upstream);
        pair.upstream.unpipe(pair.client);
        // Keep reading (and dropping) so neither side is ever pushed back: it just hears nothing.
        pair.client.on('data', () => undefined);
        pair.upstream.on('data', () => undefined);
        this.held.add(pair.client);
        this.held.add(pair.upstream);
      }
      this.pairs.clear();
      return;
    }
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
    for (const socket of this.held) socket.destroy();
    this.held.clear();
    if (mode === 'refuse' && this.server.listening) await closeServer(this.server);
  }

  /** Forwards new connections again (listening again on the same port after a `refuse` cut). */
  async restore(): Promise<void> {
    if (this.closed) throw new Error('proxy is closed');
    const wasRefusing = this.mode === 'refuse';
    this.mode = null;
    for (const socket of this.held) socket.destroy();
    this.held.clear();
    if (wasRefusing || !this.server.listening) {
      this.server = this.createServer();
      await this.listen(this.listenPort);
    }
  }

  /** Stops listening and destroys every connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
    for (const socket of this.held) socket.destroy();
    this.held.clear();
    if (this.server.listening) await closeServer(this.server);
  }

  private createServer(): net.Server {
    const server = net.createServer({ noDelay: true }, (client) => this.onConnection(client));
    server.on('error', () => undefined);
    return server;
  }

  private async listen(port: number): Promise<void> {
    // Re-listening on the port just released can briefly fail with EADDRINUSE: retry for up to ~2 s.
    for (let attempt = 0; ; attempt++) {
      try {
        await new Promise<void>((resolve, reject) => {
          const onError = (error: Error) => reject(error);
          this.server.once('error', onError);
          this.server.listen(port, '127.0.0.1', () => {
            this.server.off('error', onError);
            resolve();
          });
        });
        this.listenPort = (this.server.address() as net.AddressInfo).port;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 100));
        this.server = this.createServer();
      }
    }
  }

  private onConnection(client: net.Socket): void {
    this.accepted += 1;
    client.on('error', () => undefined);
    if (this.closed || this.mode === 'reset' || this.mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    if (this.mode === 'blackhole' || this.mode === 'freeze') {
      this.held.add(client);
      client.on('close', () => this.held.delete(client));
      // Read and discard, so the client's writes never block on a full buffer: it just hears nothing back.
      client.on('data', () => undefined);
      return;
    }
    const upstream = net.connect({ host: this.targetHost, port: this.targetPort, noDelay: true });
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    const pair = { client, upstream, end };
    this.pairs.add(pair);
    upstream.on('error', end);
    client.on('error', end);
    upstream.on('close', end);
    client.on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

function parseTarget(target: string): { host: string; port: number } {
  if (target.includes('://')) {
    const u = new URL(target);
    const defaultPort = u.protocol.startsWith('redis') ? 6379 : 3306;
    return { host: u.hostname || '127.0.0.1', port: u.port ? Number(u.port) : defaultPort };
  }
  const [host, port] = target.split(':');
  return { host: host || '127.0.0.1', port: Number(port) };
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
