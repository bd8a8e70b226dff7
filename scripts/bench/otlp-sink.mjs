// An OTLP/HTTP traces endpoint that accepts everything and keeps only counts: the "collector" of
// the tracing benchmark (npm run bench -- --otlp-sink). It runs in its own process, as a real
// collector would, so decoding costs nothing here and the gateway pays only for export.
import http from 'node:http';

const port = Number(process.env.PORT ?? 0);
const stats = { requests: 0, bytes: 0, contentTypes: {} };
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    return;
  }
  let n = 0;
  req.on('data', (c) => (n += c.length));
  req.on('end', () => {
    stats.requests++;
    stats.bytes += n;
    const ct = String(req.headers['content-type'] ?? '');
    stats.contentTypes[ct] = (stats.contentTypes[ct] ?? 0) + 1;
    res.writeHead(200, { 'content-type': ct.startsWith('application/json') ? 'application/json' : 'application/x-protobuf' }).end(ct.startsWith('application/json') ? '{}' : undefined);
  });
});
server.listen(port, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
