import { createServer } from 'node:net';

/**
 * Returns a TCP port that is free on 127.0.0.1 right now (the OS picks it: listen on port 0, read it, close).
 * Another process could take it before the caller binds it; the daemons started here bind within milliseconds,
 * and a caller that fails to bind simply asks again.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port the OS assigned'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
