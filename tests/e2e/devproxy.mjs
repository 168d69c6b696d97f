// Development helper: serves assets/ from disk (so UI edits show without
// rebuilding the binary) and forwards everything else to a running Frontline.
// Usage: node devproxy.mjs <port> <upstream-url>
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../assets');
const [port, upstream] = [Number(process.argv[2] || 0), new URL(process.argv[3] || 'http://127.0.0.1:8080')];
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.txt': 'text/plain', '.woff2': 'font/woff2' };
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'";

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
  const file = path.join(root, rel);
  if (file.startsWith(root) && fs.existsSync(file) && fs.statSync(file).isFile()) {
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'content-security-policy': CSP, 'cache-control': 'no-cache' });
    fs.createReadStream(file).pipe(res);
    return;
  }
  const p = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } }, (up) => {
    res.writeHead(up.statusCode, up.headers);
    res.flushHeaders(); // streams (text/event-stream) need their head before the first event
    up.pipe(res);
  });
  p.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
  req.pipe(p);
});
server.listen(port, '127.0.0.1', () => console.log(`Dev proxy listening on http://127.0.0.1:${server.address().port}`));
