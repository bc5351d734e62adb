import { createServer, Server, Socket, connect } from 'node:net';

/**
 * A TCP forwarder in front of a real Postgres, Redis or NATS that a test can take down and bring back,
 * to see how a service behaves when a dependency disappears, without touching the shared servers.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  /** Bytes clients have sent through the proxy, to tell whether a client used this server. */
  bytesFromClients = 0;

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static forUrl(port: number, url: string): TcpProxy {
    const u = new URL(url);
    return new TcpProxy(port, { host: u.hostname, port: Number(u.port) });
  }

  /** The same URL with host and port replaced by the proxy's. */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString().replace(/\/$/, '');
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      client.on('data', (chunk: Buffer) => {
        this.bytesFromClients += chunk.length;
      });
      const upstream = connect(this.target.port, this.target.host);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Stops listening and cuts every open connection. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
