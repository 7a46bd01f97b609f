// The baseline: a plain node:http server that answers every request with the same
// bytes and headers the app sent for the lesson page. Run as its own process, so it
// shares the machine with the load generator exactly as the app does.
// Usage: node tests/bench/baseline-server.ts <response.json> (prints "listening <port>")
import http from 'node:http';
import { readFileSync } from 'node:fs';

const saved = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  status: number;
  headers: Record<string, string>;
  body: string;
};
const body = Buffer.from(saved.body, 'base64');
const headers = { ...saved.headers, 'content-length': String(body.length) };
delete (headers as Record<string, string | undefined>)['transfer-encoding'];

const server = http.createServer((_req, res) => {
  res.writeHead(saved.status, headers);
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
