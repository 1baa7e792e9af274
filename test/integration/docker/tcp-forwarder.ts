/**
 * The test world's engine listens on a unix socket only; these put it on 127.0.0.1 TCP, in plain HTTP and
 * behind TLS that demands a client certificate (what `dockerd --tlsverify` does), so Berth's tcp and TLS
 * paths talk to the real engine. Certificates come from the openssl CLI, as `docker` TLS guides make them.
 */
import { writeFile } from 'node:fs/promises';
import { connect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { readFile } from 'node:fs/promises';
import { run } from '../../env/process';

export interface Forwarder {
  port: number;
  close(): Promise<void>;
}

function pipeTo(socketPath: string, client: Socket): void {
  const upstream = connect(socketPath);
  const drop = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', drop).on('close', drop);
  upstream.on('error', drop).on('close', drop);
  client.pipe(upstream).pipe(client);
}

async function listen(server: Server): Promise<Forwarder> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export function forwardTcp(socketPath: string): Promise<Forwarder> {
  return listen(createNetServer((client) => pipeTo(socketPath, client)));
}

/** `dir` must hold ca.pem, server-cert.pem, server-key.pem (see makeCertificates). */
export async function forwardTls(socketPath: string, dir: string): Promise<Forwarder> {
  const [ca, cert, key] = await Promise.all(
    ['ca.pem', 'server-cert.pem', 'server-key.pem'].map((file) => readFile(join(dir, file))),
  );
  return listen(
    createTlsServer({ ca, cert, key, requestCert: true, rejectUnauthorized: true }, (client) =>
      pipeTo(socketPath, client),
    ),
  );
}

/**
 * A CA, a server certificate for 127.0.0.1 and a client certificate, in `dir` under Docker's file names
 * (ca.pem, cert.pem, key.pem for the client; server-*.pem for the server).
 */
export async function makeCertificates(dir: string, name = 'test'): Promise<void> {
  const at = (file: string) => join(dir, file);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await writeFile(at('server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await writeFile(at('client.ext'), 'extendedKeyUsage=clientAuth\n');
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    at('ca-key.pem'),
    '-out',
    at('ca.pem'),
    '-days',
    '2',
    '-subj',
    `/CN=${name}-ca`,
  );
  for (const [role, out] of [
    ['server', 'server'],
    ['client', ''],
  ] as const) {
    const keyFile = at(out ? `${out}-key.pem` : 'key.pem');
    const certFile = at(out ? `${out}-cert.pem` : 'cert.pem');
    await openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      at(`${role}.csr`),
      '-subj',
      `/CN=${role}`,
    );
    await openssl(
      'x509',
      '-req',
      '-in',
      at(`${role}.csr`),
      '-CA',
      at('ca.pem'),
      '-CAkey',
      at('ca-key.pem'),
      '-CAcreateserial',
      '-out',
      certFile,
      '-days',
      '2',
      '-extfile',
      at(`${role}.ext`),
    );
  }
}
