// Accepting an invitation to a chatbot tenant (public: the link's token is the
// credential). The e-mail links to /#/accept-invitation?token=…; the page shows
// the tenant, the e-mail and the role, asks for a password (the platform's
// rules) and then points to sign-in.
import { api, ApiError } from '../lib/api.js';
import { h, clear, form, card, kv, fmt, loading, badge } from '../lib/ui.js';

/** The platform's password rules (platform/src/auth.rs validate_password). */
export const PASSWORD_RULES = { min: 8, max: 128, text: '8 to 128 characters.' };

export async function render(main, route) {
  const token = route.query.get('token') || '';
  const head = h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Accept your invitation'),
    h('p', null, 'Choose a password to join the team on Frontline.')));
  const box = h('div', { class: 'accept' });
  clear(main, head, box);
  if (!token) { clear(box, invalid('This page needs the link from your invitation e-mail; open the link again, or ask for a new invitation.')); return; }
  clear(box, loading('Looking up your invitation…'));
  let inv;
  try {
    inv = (await api('chatbot', 'GET', `/invitations/${encodeURIComponent(token)}`)).data;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 410)) {
      clear(box, invalid('This invitation link does not work any more: it was used, replaced by a newer invitation, or it expired. Ask the person who invited you to send a new one.'));
    } else {
      clear(box, invalid(err instanceof ApiError ? err.summary : String(err?.message || err), true));
    }
    return;
  }
  const done = h('div', { role: 'status', 'aria-live': 'polite' });
  const f = form({
    fields: [
      { name: 'name', label: 'Your name (optional)', autocomplete: 'name' },
      { name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'new-password', help: `The password you will sign in with: ${PASSWORD_RULES.text}` },
      { name: 'confirm', label: 'Password again', type: 'password', required: true, autocomplete: 'new-password' },
    ],
    submitLabel: 'Accept and set password',
    onSubmit: async (v) => {
      // every problem at once, each on its field
      const fields = {};
      const n = (v.password || '').length;
      if (!v.password) fields.password = 'Required';
      else if (n < PASSWORD_RULES.min) fields.password = `Too short: at least ${PASSWORD_RULES.min} characters`;
      else if (n > PASSWORD_RULES.max) fields.password = `Too long: at most ${PASSWORD_RULES.max} characters`;
      if (!v.confirm) fields.confirm = 'Required';
      else if (v.password && v.confirm !== v.password) fields.confirm = 'Does not match the password';
      if (v.name !== undefined && v.name.trim().length > 200) fields.name = 'At most 200 characters';
      if (Object.keys(fields).length) throw new ApiError({ status: 0, message: 'Please check the highlighted fields', fields });
      const body = { token, password: v.password };
      if (v.name && v.name.trim()) body.name = v.name.trim();
      return (await api('chatbot', 'POST', '/invitations/accept', { body })).data;
    },
    onDone: (r) => {
      clear(box, card('You have joined', h('p', { 'data-testid': 'accepted' }, `You are now ${article(r.role)} ${r.role} of ${r.tenant_name || inv.tenant_name}.`),
        h('p', null, 'Sign in with ', h('strong', null, r.email || inv.email), ' and the password you just chose.'),
        h('p', null, h('a', { class: 'btn btn-primary', href: '#/', 'data-testid': 'to-sign-in' }, 'Sign in'))));
    },
  });
  clear(box, h('div', { class: 'two' },
    card('Invitation', kv([['Team', h('strong', { 'data-testid': 'inv-tenant' }, inv.tenant_name)], ['E-mail', h('span', { 'data-testid': 'inv-email' }, inv.email)],
      ['Role', badge(inv.role, 'role')], ['Link valid until', fmt.date(inv.expires_at)]])),
    card('Your password', f, done)));
}

function article(word) { return /^[aeiou]/i.test(word || '') ? 'an' : 'a'; }

function invalid(message, retry = false) {
  return h('div', { class: 'state state-error', role: 'alert' }, h('strong', null, 'This invitation cannot be used.'), h('p', null, message),
    retry ? h('button', { class: 'btn', type: 'button', onclick: () => location.reload() }, 'Try again') : null,
    h('p', null, h('a', { href: '#/' }, 'Go to sign-in')));
}
