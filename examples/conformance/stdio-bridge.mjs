// Streamable-HTTP -> stdio bridge so the MCP conformance suite (HTTP-only) can test a stdio server.
// Usage: node stdio-bridge.mjs <port> -- <server command> [args...]
// Spawns one child per MCP session (each conformance scenario opens a new session).
// Routing of child->client messages: responses go to the POST stream of the matching request id;
// notifications/progress go to the POST stream whose request carried that progressToken; any other
// notification / server->client request goes to the most recent in-flight POST stream of the session,
// else to the session's standalone GET stream (if open), else it is dropped.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const PORT = Number(argv[0]);
const CMD = argv.slice(sep + 1);
if (sep < 0 || !PORT || !CMD.length) { console.error('usage: node stdio-bridge.mjs <port> -- <cmd> [args...]'); process.exit(2); }
const SUPPORTED = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];
const IDLE_MS = 30000;
const LOCAL = new Set(['localhost', '127.0.0.1', '[::1]']);
const sessions = new Map();

function hostOk(req) {
  const host = (req.headers.host || '').toLowerCase();
  const hn = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  if (!LOCAL.has(hn)) return false;
  if (req.headers.origin) {
    try { const h = new URL(req.headers.origin).hostname.toLowerCase(); if (!LOCAL.has(h) && !LOCAL.has(`[${h}]`)) return false; } catch { return false; }
  }
  return true;
}
function jsonErr(res, status, code, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }));
}
function sse(res, obj) { if (!res.writableEnded) res.write(`data: ${JSON.stringify(obj)}\n\n`); }

function newSession() {
  const child = spawn(CMD[0], CMD.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
  const s = { id: randomUUID(), child, inflight: new Map(), order: [], get: null, initWaiter: null, timer: null };
  const touch = () => { clearTimeout(s.timer); s.timer = setTimeout(() => close(s), IDLE_MS); };
  s.touch = touch; touch();
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buf += chunk; let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim(); buf = buf.slice(i + 1);
      if (!line) continue;
      let m; try { m = JSON.parse(line); } catch { console.error('[bridge] non-JSON from child:', line); continue; }
      route(s, m);
    }
  });
  child.on('exit', () => close(s));
  return s;
}
function close(s) {
  clearTimeout(s.timer);
  if (!sessions.has(s.id)) return;
  sessions.delete(s.id);
  try { s.child.kill(); } catch {}
  for (const { res } of s.inflight.values()) res.end();
  if (s.get) s.get.end();
}
function route(s, m) {
  const isResponse = !('method' in m);
  if (isResponse) {
    if (s.initWaiter && s.initWaiter.id === m.id) { const w = s.initWaiter; s.initWaiter = null; return w.resolve(m); }
    const f = s.inflight.get(m.id);
    if (!f) return;
    sse(f.res, m); f.res.end(); s.inflight.delete(m.id); s.order = s.order.filter((x) => x !== m.id);
    return;
  }
  let target;
  if (m.method === 'notifications/progress') {
    for (const f of s.inflight.values()) if (f.progressToken !== undefined && f.progressToken === m.params?.progressToken) target = f.res;
  }
  if (!target && s.order.length) target = s.inflight.get(s.order[s.order.length - 1])?.res;
  if (!target) target = s.get;
  if (target) sse(target, m);
}

http.createServer(async (req, res) => {
  if (!hostOk(req)) return jsonErr(res, 403, -32000, 'Forbidden: invalid Host/Origin header');
  const sid = req.headers['mcp-session-id'];
  const pv = req.headers['mcp-protocol-version'];
  if (pv !== undefined && !SUPPORTED.includes(pv)) return jsonErr(res, 400, -32000, `Unsupported protocol version: ${pv}`);
  if (req.method === 'GET') {
    const s = sessions.get(sid);
    if (!s) return jsonErr(res, sid ? 404 : 400, -32000, 'Invalid or missing session ID');
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }); res.flushHeaders();
    s.get = res; res.on('close', () => { if (s.get === res) s.get = null; });
    return;
  }
  if (req.method === 'DELETE') {
    const s = sessions.get(sid); if (!s) return jsonErr(res, 404, -32000, 'Session not found');
    close(s); res.writeHead(200); return res.end();
  }
  if (req.method !== 'POST') { res.writeHead(405, { allow: 'GET, POST, DELETE' }); return res.end(); }
  let body = ''; for await (const c of req) body += c;
  let m; try { m = JSON.parse(body); } catch { return jsonErr(res, 400, -32700, 'Parse error'); }
  if (Array.isArray(m)) return jsonErr(res, 400, -32600, 'Batch not supported');
  if (m.method === 'initialize' && !sid) {
    const s = newSession(); sessions.set(s.id, s);
    const reply = await new Promise((resolve) => { s.initWaiter = { id: m.id, resolve }; s.child.stdin.write(JSON.stringify(m) + '\n'); });
    res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': s.id });
    return res.end(JSON.stringify(reply));
  }
  const s = sessions.get(sid);
  if (!s) return jsonErr(res, sid ? 404 : 400, -32000, 'Invalid or missing session ID');
  s.touch();
  if (!('method' in m) || !('id' in m)) { s.child.stdin.write(JSON.stringify(m) + '\n'); res.writeHead(202); return res.end(); }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }); res.flushHeaders();
  s.inflight.set(m.id, { res, progressToken: m.params?._meta?.progressToken });
  s.order.push(m.id);
  res.on('close', () => { if (s.inflight.get(m.id)?.res === res) { s.inflight.delete(m.id); s.order = s.order.filter((x) => x !== m.id); } });
  s.child.stdin.write(JSON.stringify(m) + '\n');
}).listen(PORT, '127.0.0.1', () => console.error(`[bridge] http://127.0.0.1:${PORT}/mcp -> ${CMD.join(' ')}`));
process.on('SIGTERM', () => { for (const s of sessions.values()) close(s); process.exit(0); });
