// Live updates: a module's Server-Sent Events stream read with fetch (an
// EventSource cannot send the Authorization header). Reconnects with
// Last-Event-ID, so nothing committed while away is missed.
import { session, MODULES } from './api.js';

/**
 * live('chatbot', '/inbox/stream', { headers, onEvent(e), onState(state) }) -> { stop() }
 * e = { id, event, timestamp, data }; state: 'connecting' | 'live' | 'reconnecting' | 'stopped'.
 */
export function live(module, path, { headers = {}, onEvent, onState = () => {} } = {}) {
  const ctl = new AbortController();
  let last = null;
  let stopped = false;
  const stop = () => { if (stopped) return; stopped = true; ctl.abort(); onState('stopped'); };
  (async () => {
    while (!stopped) {
      try {
        onState('connecting');
        const hdr = { Accept: 'text/event-stream', ...headers };
        if (session.token) hdr.Authorization = `Bearer ${session.token}`;
        if (last) hdr['Last-Event-ID'] = last;
        const r = await fetch(MODULES[module].base + path, { headers: hdr, signal: ctl.signal });
        if (r.status === 401 || r.status === 403 || r.status === 404) { onState('stopped', r.status); stopped = true; return; }
        if (!r.ok || !r.body) throw new Error(`stream answered ${r.status}`);
        onState('live');
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value.replace(/\r\n/g, '\n');
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const msg = { data: '' };
            for (const line of block.split('\n')) {
              if (!line || line.startsWith(':')) continue;
              const c = line.indexOf(':');
              const k = c < 0 ? line : line.slice(0, c);
              const v = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
              if (k === 'data') msg.data += (msg.data ? '\n' : '') + v;
              else msg[k] = v;
            }
            if (msg.id) last = msg.id;
            if (!msg.data) continue;
            let parsed;
            try { parsed = JSON.parse(msg.data); } catch { continue; }
            try { onEvent?.(parsed); } catch (err) { console.warn('live event handler failed', err); }
          }
        }
      } catch (err) {
        if (stopped || ctl.signal.aborted) return;
      }
      if (stopped) return;
      onState('reconnecting');
      await new Promise((res) => setTimeout(res, 1500));
    }
  })();
  // a page that is left stops its stream
  window.addEventListener('hashchange', stop, { once: true });
  return { stop };
}
