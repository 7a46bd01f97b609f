// A long queue of queries must not stop the server from accepting connections. On PGlite
// the queries run on this thread; without a turn of the event loop between them, libuv
// (one accept per turn) left new connections in the kernel's backlog until the whole
// queue had run — 30 s under the load test. On PostgreSQL the queries wait on sockets,
// so the loop turns anyway; the test holds for both.
import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoundsDatabase } from '#server/platform/db.ts';
import { freshDatabase } from '../support/database.ts';

let database: RoundsDatabase;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database.close();
});

describe('the database queue and the event loop', () => {
  it('accepts new connections while thousands of queries wait for the database', async () => {
    const server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    let accepted = 0;
    server.on('connection', () => (accepted += 1));
    try {
      const QUERIES = 3000;
      const CONNECTIONS = 20;
      let finished = 0;
      const queue = Array.from({ length: QUERIES }, (_, i) =>
        sql<{ n: number }>`select ${i}::int as n`.execute(database.db).then(() => (finished += 1)),
      );
      const clients = Array.from({ length: CONNECTIONS }, () => net.connect(port, '127.0.0.1').on('error', () => {}));
      let acceptedWhenDone = -1;
      await Promise.all(queue).then(() => (acceptedWhenDone = accepted));
      for (const client of clients) client.destroy();
      expect(finished).toBe(QUERIES);
      // Every connection was taken while the queue was still running, not after it.
      expect(acceptedWhenDone).toBe(CONNECTIONS);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
