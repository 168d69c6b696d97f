// Chatbot agent inbox: conversations waiting for a human, claim, reply,
// internal notes, close with a resolution — kept current by the live stream.
import { api, session, isAdmin } from '../lib/api.js';
import { h, clear, badge, fmt, empty, errorState, toast, toastError, dialog, card, kv } from '../lib/ui.js';
import { live } from '../lib/live.js';

const M = 'chatbot';
const REASONS = { transfer: 'Transferred', low_confidence: 'Bot unsure' };
const PRIORITY_KIND = { urgent: 'critical', high: 'warning', normal: 'info', low: 'info' };

/** The inbox tab for `tenant` (its id). */
export function inbox(p, tenant) {
  if (!tenant) { p.append(empty('Choose or create a tenant first; the inbox belongs to a tenant.')); return; }
  const headers = { 'X-Tenant-ID': tenant };
  const me = session.user?.id;
  let selected = null;
  let items = [];
  // owners and admins of the tenant close or release any claim; agents their own
  let manages = isAdmin();
  if (!manages) {
    api(M, 'GET', `/tenants/${encodeURIComponent(tenant)}/users`, { query: { limit: 100 }, headers })
      .then((r) => {
        const mine = (r.data?.users || []).find((u) => u.platform_user_id === me);
        manages = ['owner', 'admin'].includes(mine?.role);
        if (manages && selected) openConversation();
      }).catch(() => {});
  }
  const state = h('span', { class: 'badge', 'data-testid': 'live-state', role: 'status' }, 'Connecting…');
  const count = h('span', { class: 'muted', 'data-testid': 'inbox-count' });
  const list = h('ul', { class: 'inbox-list', 'aria-label': 'Waiting conversations' });
  const pane = h('div', { class: 'inbox-pane', 'aria-live': 'polite' }, empty('Pick a conversation on the left.'));
  p.append(
    h('div', { class: 'toolbar inbox-head' }, h('h2', null, 'Waiting for a human'), count, state),
    h('div', { class: 'inbox' }, list, pane));

  async function refreshList() {
    try {
      const d = (await api(M, 'GET', '/inbox', { headers })).data;
      items = d.conversations || [];
      count.textContent = `${d.total} waiting · ${d.unclaimed} unclaimed`;
      clear(list, items.length ? items.map(row) : h('li', { class: 'muted' }, 'Nobody is waiting. New conversations appear here as they arrive.'));
    } catch (err) {
      clear(list, h('li', null, errorState(err, refreshList)));
    }
  }

  function row(c) {
    const mine = c.assignee?.user_id === me;
    return h('li', null, h('button', {
      type: 'button', class: `inbox-item${selected === c.conversation_id ? ' selected' : ''}`, 'data-conversation': c.conversation_id,
      'aria-current': selected === c.conversation_id ? 'true' : null,
      onclick: () => { selected = c.conversation_id; refreshList(); openConversation(); },
    },
    h('span', { class: 'inbox-item-top' }, h('strong', null, c.user_id), ' ', h('small', { class: 'muted' }, `${c.channel} · ${fmt.date(c.last_activity_at)}`)),
    h('span', { class: 'inbox-item-text' }, c.last_visitor_message || '—'),
    h('span', { class: 'inbox-item-tags' },
      c.waiting_reason ? badge(REASONS[c.waiting_reason] || c.waiting_reason, c.waiting_reason === 'transfer' ? 'warning' : 'info') : null,
      c.priority ? badge(c.priority, PRIORITY_KIND[c.priority]) : null,
      c.department ? h('small', { class: 'muted' }, ` ${c.department}`) : null,
      c.assignee ? h('small', null, mine ? ' · yours' : ` · ${c.assignee.name}`) : h('small', { class: 'muted' }, ' · unclaimed'))));
  }

  async function openConversation() {
    if (!selected) return;
    const id = selected;
    let d;
    try {
      d = (await api(M, 'GET', `/inbox/${encodeURIComponent(id)}`, { headers })).data;
    } catch (err) { clear(pane, errorState(err, openConversation)); return; }
    if (selected !== id) return;
    const c = d.conversation;
    const closed = c.status === 'closed';
    const mine = c.assignee?.user_id === me;
    const takenByOther = c.assignee && !mine;
    const log = h('div', { class: 'chat', 'aria-label': 'Messages', 'data-testid': 'inbox-messages' },
      d.messages.map((m) => h('div', { class: `bubble ${m.sender === 'visitor' ? '' : 'me'} from-${m.sender}` }, m.text || '(no text)',
        h('span', { class: 'meta' }, `${m.sender === 'agent' ? m.author_name || 'agent' : m.sender === 'bot' ? 'bot' : 'visitor'} · ${fmt.date(m.timestamp)}${m.sender === 'bot' && m.confidence_score != null ? ` · confidence ${fmt.num(m.confidence_score, 2)}` : ''}${m.is_fallback ? ' · did not understand' : ''}`))));
    const notes = h('ul', { class: 'notes', 'aria-label': 'Notes so far' },
      d.notes.length ? d.notes.map((n) => h('li', { class: 'note' }, n.text, h('small', { class: 'muted' }, ` — ${n.author_name || ''}, ${fmt.date(n.created_at)}`))) : h('li', { class: 'muted' }, 'No notes yet.'));
    // what the agent is typing survives the live refreshes of the conversation
    const draft = (sel) => (pane.dataset.open === id ? pane.querySelector(sel)?.value || '' : '');
    const replyInput = h('textarea', { id: 'inbox-reply', rows: 3, placeholder: 'Write to the visitor…', disabled: closed || takenByOther });
    replyInput.value = draft('#inbox-reply');
    const noteInput = h('textarea', { id: 'inbox-note', rows: 2, placeholder: 'Only your team sees notes' });
    noteInput.value = draft('#inbox-note');
    const hadFocus = pane.dataset.open === id ? document.activeElement?.id : null;
    const replyErr = h('p', { class: 'field-error', role: 'alert' });
    const send = async (e) => {
      e.preventDefault();
      replyErr.textContent = '';
      try {
        await api(M, 'POST', `/inbox/${encodeURIComponent(id)}/reply`, { headers, body: { text: replyInput.value } });
        replyInput.value = '';
        await openConversation();
        refreshList();
      } catch (err) { replyErr.textContent = err.fields?.text || err.summary || String(err); }
    };
    const addNote = async (e) => {
      e.preventDefault();
      try {
        await api(M, 'POST', `/inbox/${encodeURIComponent(id)}/notes`, { headers, body: { text: noteInput.value } });
        noteInput.value = '';
        toast('Note added.', 'success');
        await openConversation();
      } catch (err) { toastError(err); }
    };
    const claim = async () => {
      try { await api(M, 'POST', `/inbox/${encodeURIComponent(id)}/claim`, { headers }); toast('The conversation is yours. The bot stays quiet until you release or close it.', 'success'); await openConversation(); refreshList(); } catch (err) { toastError(err); }
    };
    const release = async () => {
      try {
        await api(M, 'POST', `/inbox/${encodeURIComponent(id)}/release`, { headers });
        toast(mine ? 'Released: any agent can claim it, and the bot answers until someone does.' : `Released ${c.assignee.name}'s claim.`, 'success');
        await openConversation(); refreshList();
      } catch (err) { toastError(err); }
    };
    const canClose = !takenByOther || manages;
    clear(pane,
      h('div', { class: 'page-head' },
        h('div', null, h('h2', null, c.user_id), h('p', { class: 'muted' }, `${c.channel} · started ${fmt.date(c.started_at)} · `, badge(c.status),
          c.assignee ? ` · ${mine ? 'yours' : `claimed by ${c.assignee.name}`}` : ' · unclaimed')),
        h('div', { class: 'toolbar' },
          !closed && !c.assignee ? h('button', { type: 'button', class: 'btn btn-primary', onclick: claim }, 'Claim') : null,
          !closed && c.assignee && (mine || manages) ? h('button', { type: 'button', class: 'btn', onclick: release }, mine ? 'Release' : 'Release claim') : null,
          !closed && canClose ? h('button', { type: 'button', class: 'btn', onclick: () => resolve(id) }, 'Close with resolution') : null,
          h('a', { class: 'btn btn-ghost', href: `#/chatbot/c/${encodeURIComponent(id)}` }, 'Full history'))),
      log,
      closed ? card('Closed', kv([['Resolution', d.resolution || '—']]))
        : takenByOther ? h('p', { class: 'muted', 'data-testid': 'taken' }, `${c.assignee.name} is answering this conversation; the bot stays quiet.${manages ? ' As an owner or admin you can release the claim or close it.' : ' They (or an owner or admin) can release it.'}`)
          : h('form', { class: 'chat-form inbox-reply', onsubmit: send },
            h('label', { for: 'inbox-reply', class: 'sr-only' }, 'Reply to the visitor'), replyInput,
            h('button', { type: 'submit', class: 'btn btn-primary' }, 'Send reply'), replyErr),
      h('h3', null, 'Internal notes'), notes,
      h('form', { class: 'chat-form', onsubmit: addNote },
        h('label', { for: 'inbox-note', class: 'sr-only' }, 'Internal note'), noteInput,
        h('button', { type: 'submit', class: 'btn' }, 'Add note')));
    log.scrollTop = log.scrollHeight;
    pane.dataset.open = id;
    if (hadFocus === 'inbox-reply' || hadFocus === 'inbox-note') pane.querySelector(`#${hadFocus}`)?.focus();
  }

  function resolve(id) {
    const input = h('textarea', { id: 'inbox-resolution', rows: 2, required: true });
    const err = h('p', { class: 'field-error', role: 'alert' });
    const f = h('form', {
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          await api(M, 'POST', `/inbox/${encodeURIComponent(id)}/resolve`, { headers, body: { resolution: input.value } });
          d.close();
          toast('Conversation closed.', 'success');
          await openConversation();
          refreshList();
        } catch (ex) { err.textContent = ex.fields?.resolution || ex.summary || String(ex); }
      },
    }, h('div', { class: 'field' }, h('label', { for: 'inbox-resolution', class: 'label' }, 'Resolution (what was done)'), input, err),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => d.close() }, 'Cancel'), h('button', { type: 'submit', class: 'btn btn-primary' }, 'Close conversation')));
    const d = dialog('Close with a resolution', f);
    input.focus();
  }

  // live: any event of the tenant refreshes the queue; events of the open
  // conversation refresh it too (debounced, so a burst is one reload)
  let timer = null;
  let openToo = false;
  live(M, '/inbox/stream', {
    headers,
    onEvent: (e) => {
      if (!document.body.contains(list)) return;
      if (e.data?.conversation_id && e.data.conversation_id === selected) openToo = true;
      clearTimeout(timer);
      timer = setTimeout(() => { refreshList(); if (openToo) { openToo = false; openConversation(); } }, 150);
    },
    onState: (s) => {
      state.textContent = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', stopped: 'Not live' }[s] || s;
      state.className = `badge ${s === 'live' ? 'badge-ok' : 'badge-pending'}`;
    },
  });
  refreshList();
}
