// Small UI toolkit: element builder, states, toasts, dialogs, forms, tables.
import { ApiError, session, normaliseError } from './api.js';

let uid = 0;
export const nextId = (p = 'f') => `${p}-${++uid}`;

/** h('div', {class:'x', onclick}, child, ...) — children may be strings, nodes, arrays, null. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked') el.checked = !!v;
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}
function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}
export function clear(el, ...children) { el.replaceChildren(); append(el, children); return el; }

/** Text with the search engine's <em> highlights kept, everything else escaped. */
export function highlighted(text) {
  const span = h('span', { class: 'hl' });
  // snippets arrive HTML-escaped around the <em> marks; decode the common entities for display as text
  const decode = (x) => x.replace(/<[^>]*>/g, '').replace(/&(lt|gt|quot|#39|#x27|amp);/g, (_, e) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", amp: '&' })[e]);
  String(text ?? '').split(/(<em>.*?<\/em>)/gs).forEach((part) => {
    const m = /^<em>(.*)<\/em>$/s.exec(part);
    if (m) span.append(h('mark', null, decode(m[1])));
    else if (part) span.append(decode(part));
  });
  return span;
}

// ---------- formatting ----------
export const fmt = {
  date(v) {
    if (!v) return '—';
    const d = new Date(typeof v === 'number' && v < 1e12 ? v * 1000 : v);
    return isNaN(d) ? String(v) : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  },
  num(v, digits = 0) {
    if (v === null || v === undefined || v === '') return '—';
    let n = Number(v);
    if (isNaN(n)) return String(v);
    if (Math.abs(n) < 0.5 * 10 ** -digits) n = 0; // no "-0" for values that round to zero
    return n.toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  },
  money(v, cur = '') {
    if (v === null || v === undefined) return '—';
    const n = Number(v);
    return `${cur ? cur + ' ' : ''}${n.toLocaleString(undefined, { maximumFractionDigits: 2 })}`;
  },
  pct(v, isRatio = true) {
    if (v === null || v === undefined) return '—';
    return `${(Number(v) * (isRatio ? 100 : 1)).toFixed(1)}%`;
  },
  json(v) { return JSON.stringify(v, null, 2); },
  /** Words for a code or key: BILLING_PAYMENTS -> "Billing payments", activeConfigs -> "Active configs". */
  label(v) {
    if (v === null || v === undefined || v === '') return '—';
    const s = String(v);
    if (!isCode(s) && !/^[a-z]+[A-Z]/.test(s)) return s;
    const words = s.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').trim().toLowerCase();
    return words.charAt(0).toUpperCase() + words.slice(1);
  },
};

/** An enum-like code (SALES, BILLING_PAYMENTS, in_progress) rather than a name or an id. */
export function isCode(s) {
  return /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(s) || /^[A-Z]{4,}$/.test(s) || /^[a-z]+(_[a-z]+)+$/.test(s);
}

export function badge(text, kind) {
  const k = kind || String(text || '').toLowerCase();
  const shown = typeof text === 'string' && isCode(text) ? fmt.label(text) : text;
  return h('span', { class: `badge badge-${k.replace(/[^a-z0-9_-]/gi, '')}`, title: shown !== text ? text : null }, shown ?? '—');
}

// ---------- states ----------
export function loading(label = 'Loading…') {
  return h('div', { class: 'state state-loading', role: 'status', 'aria-live': 'polite' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), label);
}
export function empty(label = 'Nothing here yet.', ...extra) {
  return h('div', { class: 'state state-empty' }, h('p', null, label), ...extra);
}
export function errorState(err, retry) {
  if (err instanceof ApiError && err.notServed) {
    return h('div', { class: 'state state-unavailable', role: 'note' },
      h('strong', null, 'Not available on this server yet.'),
      h('p', null, `This part of the API is not served by this Frontline build (HTTP ${err.status}). It will appear here once the module ships it.`));
  }
  const msg = err instanceof ApiError ? err.summary : String(err?.message || err);
  return h('div', { class: 'state state-error', role: 'alert' },
    h('strong', null, err?.status === 403 ? 'You do not have permission for this.' : 'Something went wrong.'),
    h('p', null, msg),
    retry ? h('button', { class: 'btn', type: 'button', onclick: retry }, 'Try again') : null);
}

/** Runs an async loader into a container with loading, error and retry. */
export async function load(container, loader) {
  const run = async () => {
    clear(container, loading());
    try {
      const node = await loader();
      clear(container, node);
    } catch (err) {
      clear(container, errorState(err, run));
    }
  };
  return run();
}

// ---------- toasts ----------
export function toast(message, kind = 'info') {
  let box = document.getElementById('toasts');
  if (!box) {
    box = h('div', { id: 'toasts', class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  const t = h('div', { class: `toast toast-${kind}` }, message,
    h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss', onclick: () => t.remove() }, '×'));
  box.append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 9000 : 4500);
}
export function toastError(err) { toast(err instanceof ApiError ? err.summary : String(err?.message || err), 'error'); }

// ---------- dialogs ----------
export function dialog(title, body, { wide = false } = {}) {
  const d = h('dialog', { class: `dialog${wide ? ' dialog-wide' : ''}`, 'aria-labelledby': nextId('dlg') });
  const titleId = d.getAttribute('aria-labelledby');
  d.append(
    h('header', { class: 'dialog-head' }, h('h2', { id: titleId }, title),
      h('button', { type: 'button', class: 'btn btn-ghost', 'aria-label': 'Close', onclick: () => d.close() }, '×')),
    h('div', { class: 'dialog-body' }, body));
  d.addEventListener('close', () => d.remove());
  document.body.append(d);
  d.showModal();
  return d;
}
export function confirmDialog(message, { ok = 'Confirm', danger = false } = {}) {
  return new Promise((resolve) => {
    let result = false;
    const d = dialog('Please confirm', [
      h('p', null, message),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn', onclick: () => d.close() }, 'Cancel'),
        h('button', { type: 'button', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, onclick: () => { result = true; d.close(); } }, ok)),
    ]);
    d.addEventListener('close', () => resolve(result));
  });
}

/** Asks for one line of text in a dialog; resolves to the text, or null when cancelled. */
export function promptDialog(title, label, { value = '', ok = 'OK', required = false } = {}) {
  return new Promise((resolve) => {
    let result = null;
    const id = nextId('prompt');
    const input = h('input', { id, value, required });
    const f = h('form', null, h('div', { class: 'field' }, h('label', { for: id, class: 'label' }, label), input),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => d.close() }, 'Cancel'), h('button', { type: 'submit', class: 'btn btn-primary' }, ok)));
    f.addEventListener('submit', (e) => { e.preventDefault(); if (required && !input.value.trim()) { input.focus(); return; } result = input.value; d.close(); });
    const d = dialog(title, f);
    d.addEventListener('close', () => resolve(result));
    input.focus();
  });
}

// ---------- progress for long work ----------
export function progress(label) {
  const bar = h('progress', { 'aria-label': label });
  const text = h('span', null, label);
  const el = h('div', { class: 'progress', role: 'status', 'aria-live': 'polite' }, text, bar);
  return {
    el,
    set(value, max = 100, msg) { bar.max = max; bar.value = value; if (msg) text.textContent = msg; },
    done(msg) { bar.max = 1; bar.value = 1; text.textContent = msg; },
  };
}
/** Polls `fn` every `ms` until `isDone(result)`; reports through `onTick`. */
export async function poll(fn, isDone, { ms = 1000, tries = 120, onTick } = {}) {
  for (let i = 0; i < tries; i++) {
    const r = await fn();
    if (onTick) onTick(r, i);
    if (isDone(r)) return r;
    await new Promise((res) => setTimeout(res, ms));
  }
  throw new Error('Still running after waiting; check again later.');
}

// ---------- forms ----------
/**
 * field spec: {name, label, type: text|email|password|number|textarea|select|checkbox|multiselect|date|datetime-local|json|tags,
 *   options: [value|[value,label]], required, value, help, min, max, step, placeholder}
 */
export function field(spec) {
  const id = nextId('fld');
  const errId = `${id}-err`;
  const helpId = spec.help ? `${id}-help` : null;
  const described = [helpId, errId].filter(Boolean).join(' ');
  let input;
  const common = { id, name: spec.name, required: spec.required, 'aria-describedby': described, placeholder: spec.placeholder, disabled: spec.disabled };
  const opts = (spec.options || []).map((o) => (Array.isArray(o) ? o : [o, o]));
  switch (spec.type) {
    case 'textarea':
    case 'json':
      input = h('textarea', { ...common, rows: spec.rows || (spec.type === 'json' ? (JSON.stringify(spec.value ?? '').length > 40 ? 6 : 2) : 3), class: spec.type === 'json' ? 'mono' : null });
      input.value = spec.type === 'json' && spec.value !== undefined && typeof spec.value !== 'string' ? fmt.json(spec.value) : (spec.value ?? '');
      break;
    case 'select':
      input = h('select', common, spec.required ? null : h('option', { value: '' }, spec.placeholder || '—'),
        opts.map(([v, l]) => h('option', { value: v, selected: String(spec.value ?? '') === String(v) }, typeof l === 'string' && l === v && isCode(l) ? fmt.label(l) : l)));
      break;
    case 'multiselect':
      {
        const box = (list) => list.map(([v, l]) => h('label', { class: 'check' },
          h('input', { type: 'checkbox', name: spec.name, value: v, checked: (spec.value || []).includes(v) }), l));
        const groups = [...new Set(opts.map((o) => o[2] || ''))];
        input = h('div', { class: groups.length > 1 ? 'check-groups' : 'checks', role: 'group', 'aria-labelledby': `${id}-lbl`, id },
          groups.length > 1
            ? groups.map((g) => h('div', { class: 'check-group', role: 'group', 'aria-label': g || 'General' }, h('div', { class: 'check-group-title' }, g || 'General'), h('div', { class: 'checks' }, box(opts.filter((o) => (o[2] || '') === g)))))
            : box(opts));
      }
      break;
    case 'checkbox':
      input = h('input', { ...common, type: 'checkbox', checked: !!spec.value });
      break;
    case 'rows':
      input = rowsEditor(spec, id);
      break;
    case 'picker':
      input = pickerInput(spec, common);
      break;
    default:
      input = h('input', { ...common, type: spec.type === 'tags' ? 'text' : (spec.type || 'text'), min: spec.min, max: spec.max, step: spec.step, autocomplete: spec.autocomplete, list: spec.suggest ? `${id}-list` : null });
      input.value = spec.type === 'tags' ? (spec.value || []).join(', ') : (spec.value ?? '');
      if (spec.suggest) input = h('span', { class: 'with-list' }, input, h('datalist', { id: `${id}-list` }, spec.suggest.map((o) => h('option', { value: o }))));
  }
  const label = spec.type === 'multiselect' || spec.type === 'rows'
    ? h('span', { class: 'label', id: `${id}-lbl` }, spec.label, spec.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null)
    : h('label', { for: id, class: 'label' }, spec.label, spec.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
  const wrap = h('div', { class: `field field-${spec.type || 'text'}${spec.wide ? ' field-wide' : ''}`, dataset: { field: spec.name } },
    spec.type === 'checkbox' ? h('label', { class: 'check' }, input, ' ', spec.label) : [label, input],
    spec.help ? h('small', { id: helpId, class: 'help' }, spec.help) : null,
    h('small', { id: errId, class: 'field-error', 'aria-live': 'polite' }));
  wrap._spec = spec;
  return wrap;
}

/**
 * Search as you type: a text box that looks records up by name and fills in
 * their id (ARIA combobox with a listbox; arrows, Enter, Escape).
 * spec.search(q, signal) -> [{value, label, detail}] (debounced; q is ''
 * when an empty box is clicked or ArrowDown is pressed), spec.value (an id) with spec.valueLabel (its
 * name), spec.number (the id is a number). Typing an id itself also works.
 */
export function picker(spec) {
  return pickerInput(spec, { id: nextId('pick'), name: spec.name, placeholder: spec.placeholder, required: spec.required, 'aria-label': spec.ariaLabel });
}
function pickerInput(spec, common) {
  const listId = `${common.id}-list`;
  const input = h('input', { ...common, type: 'text', role: 'combobox', autocomplete: 'off', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId,
    placeholder: common.placeholder || 'Type a name to search…', value: spec.valueLabel || (spec.value ?? '') });
  if (spec.value !== undefined && spec.value !== null && spec.value !== '') { input.dataset.value = String(spec.value); input.dataset.shown = input.value; }
  const list = h('ul', { id: listId, role: 'listbox', class: 'picker-list', hidden: true, 'aria-label': `${spec.label || spec.name} matches` });
  const status = h('span', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  let options = [];
  let active = -1;
  let timer = null;
  let ctl = null;
  const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); active = -1; };
  const choose = (o) => {
    input.value = o.label;
    input.dataset.value = String(o.value);
    input.dataset.shown = o.label;
    close();
    input.dispatchEvent(new CustomEvent('pick', { detail: o, bubbles: true }));
    spec.onPick?.(o);
  };
  const highlight = (i) => {
    active = i;
    [...list.children].forEach((li, k) => li.setAttribute('aria-selected', String(k === i)));
    const li = list.children[i];
    if (li && li.id) { input.setAttribute('aria-activedescendant', li.id); li.scrollIntoView?.({ block: 'nearest' }); }
  };
  const show = (found, q) => {
    options = found;
    clear(list, found.length
      ? found.map((o, i) => h('li', { id: `${listId}-${i}`, role: 'option', 'aria-selected': 'false', class: 'picker-option', 'data-value': o.value,
        onmousedown: (e) => { e.preventDefault(); choose(o); } },
      h('span', { class: 'picker-name' }, o.label), ' ', h('small', { class: 'muted picker-id' }, o.detail ?? o.value)))
      : h('li', { class: 'picker-none muted', role: 'option', 'aria-disabled': 'true' }, q ? `Nothing matches “${q}”.` : 'Type to search.'));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    status.textContent = found.length ? `${found.length} matches; arrow keys to choose` : 'No matches';
    active = -1;
  };
  const run = async () => {
    const q = input.value.trim();
    ctl?.abort();
    ctl = new AbortController();
    try {
      const found = await spec.search(q, ctl.signal);
      if (document.activeElement === input) show(found || [], q);
    } catch (err) {
      if (err?.name === 'AbortError') return;
      clear(list, h('li', { class: 'picker-none', role: 'option', 'aria-disabled': 'true' }, err?.summary || err?.message || 'Search failed'));
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }
  };
  input.addEventListener('input', () => {
    // typing changes the choice: the id is what is typed until one is chosen again
    if (input.value !== input.dataset.shown) delete input.dataset.value;
    clearTimeout(timer);
    timer = setTimeout(run, spec.debounce ?? 200);
  });
  // a click (or ArrowDown) on an empty box lists the first records; focus alone does not open the list
  input.addEventListener('click', () => { if (list.hidden && !input.value) run(); });
  input.addEventListener('blur', () => setTimeout(close, 100));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (list.hidden) { run(); return; }
      if (!options.length) return;
      const n = e.key === 'ArrowDown' ? (active + 1) % options.length : (active <= 0 ? options.length - 1 : active - 1);
      highlight(n);
    } else if (e.key === 'Enter' && !list.hidden && options.length) {
      e.preventDefault();
      choose(options[active >= 0 ? active : 0]);
    } else if (e.key === 'Escape' && !list.hidden) {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  });
  return h('div', { class: 'picker' }, input, list, status);
}
function pickedValue(input, spec) {
  const typed = input.value.trim();
  if (!typed) return undefined;
  // the chosen record's id, or what was typed (an id pasted in) once the text changed
  const raw = input.dataset.value !== undefined && input.value === input.dataset.shown ? input.dataset.value : typed;
  if (spec.number) { const n = Number(raw); return Number.isFinite(n) ? n : raw; }
  return raw;
}
/** Keeps the `limit` best of `rows` (objects) whose `keys` contain `q` (any case): starts first. */
export function matchLocal(rows, q, keys, limit = 20) {
  const s = q.trim().toLowerCase();
  if (!s) return rows.slice(0, limit);
  const scored = [];
  for (const r of rows) {
    const texts = keys.map((k) => String(typeof k === 'function' ? k(r) : r[k] ?? '').toLowerCase());
    const at = Math.min(...texts.map((t) => { const i = t.indexOf(s); return i < 0 ? Infinity : (i === 0 ? 0 : 1); }));
    if (at !== Infinity) scored.push([at, r]);
  }
  return scored.sort((a, b) => a[0] - b[0]).slice(0, limit).map((x) => x[1]);
}

/** Reads values from a container of fields, typed by spec. Nested names with dots become objects. */
export function readFields(container) {
  const out = {};
  for (const wrap of container.querySelectorAll('.field')) {
    const spec = wrap._spec;
    if (!spec || spec.readonly) continue;
    let v;
    if (spec.type === 'multiselect') v = [...wrap.querySelectorAll('input:checked')].map((i) => i.value);
    else if (spec.type === 'picker') v = pickedValue(wrap.querySelector('input'), spec);
    else if (spec.type === 'rows') v = readRows(wrap);
    else {
      const el = wrap.querySelector('input,select,textarea');
      if (spec.type === 'checkbox') v = el.checked;
      else if (spec.type === 'number') v = el.value === '' ? undefined : Number(el.value);
      else if (spec.type === 'tags') v = el.value.split(',').map((s) => s.trim()).filter(Boolean);
      else if (spec.type === 'json') {
        if (el.value.trim() === '') v = undefined;
        else {
          try { v = JSON.parse(el.value); } catch (e) { throw new ApiError({ status: 0, message: 'Please fix the JSON', fields: { [spec.name]: `Not valid JSON: ${e.message}` } }); }
          // an untouched empty {} or [] is left out rather than sent
          if (!spec.keepEmpty && v && typeof v === 'object' && (Array.isArray(v) ? !v.length : !Object.keys(v).length)) v = undefined;
        }
      } else if (spec.type === 'datetime-local') v = el.value ? new Date(el.value).toISOString() : undefined;
      else v = el.value === '' ? undefined : el.value;
    }
    if (v === undefined && !spec.keepEmpty) continue;
    setPath(out, spec.name, v);
  }
  return out;
}
/**
 * A table of rows to edit in place (capex items, enrolment per year):
 * spec {type: 'rows', columns: [{name, label, type: 'number'|'text'|'checkbox', options, step, readonly}],
 *       value: [rows], newRow() -> row, fixedRows, addLabel}. Members of a row that are
 * not columns (ids) are kept. Reads back as an array of objects.
 */
function rowsEditor(spec, id) {
  const tbody = h('tbody');
  const cell = (c, v, rowNo) => {
    const aria = `${c.label}, row ${rowNo}`;
    if (c.readonly) return h('span', { 'data-col': c.name, 'data-value': v ?? '' }, c.format ? c.format(v) : (v ?? '—'));
    if (c.options) {
      return h('select', { 'data-col': c.name, 'aria-label': aria },
        c.options.map((o) => { const [val, lab] = Array.isArray(o) ? o : [o, isCode(o) ? fmt.label(o) : o]; return h('option', { value: val, selected: String(v ?? '') === String(val) }, lab); }));
    }
    if (c.type === 'checkbox') return h('input', { type: 'checkbox', 'data-col': c.name, 'aria-label': aria, checked: !!v });
    const input = h('input', { type: c.type || 'text', 'data-col': c.name, 'aria-label': aria, step: c.step, min: c.min, max: c.max });
    input.value = v ?? '';
    return input;
  };
  const addRow = (row = {}) => {
    const n = tbody.children.length + 1;
    const tr = h('tr', null, spec.columns.map((c) => h('td', { class: c.type === 'number' ? 'num' : null }, cell(c, row[c.name], n))),
      spec.fixedRows ? null : h('td', null, h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'aria-label': `Remove row ${n}`, onclick: () => tr.remove() }, 'Remove')));
    tr._row = row;
    tbody.append(tr);
  };
  (spec.value || []).forEach(addRow);
  const table = h('table', { class: 'table rows-table', id, 'aria-labelledby': `${id}-lbl` },
    h('thead', null, h('tr', null, spec.columns.map((c) => h('th', { scope: 'col', class: c.type === 'number' ? 'num' : null }, c.label)),
      spec.fixedRows ? null : h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Remove')))), tbody);
  return h('div', { class: 'rows-editor' }, h('div', { class: 'rows-scroll' }, table),
    spec.fixedRows ? null : h('button', { type: 'button', class: 'btn btn-small', onclick: () => addRow(spec.newRow ? spec.newRow() : {}) }, spec.addLabel || 'Add row'));
}
function readRows(wrap) {
  const cols = Object.fromEntries(wrap._spec.columns.map((c) => [c.name, c]));
  return [...wrap.querySelectorAll('tbody tr')].map((tr) => {
    const row = { ...(tr._row || {}) };
    for (const el of tr.querySelectorAll('[data-col]')) {
      const c = cols[el.dataset.col];
      let v;
      if (c.readonly) v = el.dataset.value === '' ? null : (c.type === 'number' ? Number(el.dataset.value) : el.dataset.value);
      else if (c.type === 'checkbox') v = el.checked;
      else if (c.type === 'number') v = el.value === '' ? null : Number(el.value);
      else v = el.value === '' ? null : el.value;
      row[c.name] = v;
    }
    return row;
  });
}

export function setPath(obj, path, v) {
  const parts = path.split('.');
  let o = obj;
  parts.slice(0, -1).forEach((p) => { o[p] = o[p] && typeof o[p] === 'object' ? o[p] : {}; o = o[p]; });
  o[parts.at(-1)] = v;
}

/** Puts server field errors next to fields; returns the messages that matched no field. */
export function showFieldErrors(container, err) {
  clearFieldErrors(container);
  const unmatched = [];
  const fields = err?.fields || {};
  let first = null;
  for (const [name, msg] of Object.entries(fields)) {
    const norm = name.replace(/^body\./, '');
    let wrap = [...container.querySelectorAll('.field')].find((w) => w.dataset.field === norm)
      || [...container.querySelectorAll('.field')].find((w) => norm.startsWith(`${w.dataset.field}.`) || norm.startsWith(`${w.dataset.field}[`))
      || [...container.querySelectorAll('.field')].find((w) => w.dataset.field.split('.').at(-1) === norm.split('.').at(-1));
    if (wrap) {
      const e = wrap.querySelector('.field-error');
      e.textContent = e.textContent ? `${e.textContent}; ${msg}` : (norm === wrap.dataset.field ? msg : `${norm}: ${msg}`);
      wrap.classList.add('has-error');
      const input = wrap.querySelector('input,select,textarea');
      if (input) input.setAttribute('aria-invalid', 'true');
      first = first || input;
    } else unmatched.push(`${name}: ${msg}`);
  }
  if (first) first.focus();
  return unmatched;
}
export function clearFieldErrors(container) {
  container.querySelectorAll('.field-error').forEach((e) => { e.textContent = ''; });
  container.querySelectorAll('.has-error').forEach((e) => e.classList.remove('has-error'));
  container.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
}

/**
 * form({fields, submitLabel, onSubmit(values) -> promise, onDone(result), extra})
 * Shows server validation errors beside the fields and a summary on top.
 */
export function form({ fields, submitLabel = 'Save', onSubmit, onDone, cancel, sections, className }) {
  const alert = h('div', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel);
  const body = sections
    ? sections.map((s) => h('fieldset', { class: 'fieldset' }, h('legend', null, s.legend), h('div', { class: 'grid' }, s.fields.map(field))))
    : h('div', { class: 'grid' }, fields.map(field));
  const f = h('form', { class: `form ${className || ''}`, novalidate: true }, alert, body,
    h('div', { class: 'actions' }, cancel ? h('button', { type: 'button', class: 'btn', onclick: cancel }, 'Cancel') : null, submit));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    alert.hidden = true;
    clearFieldErrors(f);
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    try {
      const values = readFields(f);
      const result = await onSubmit(values);
      if (onDone) onDone(result);
    } catch (err) {
      const unmatched = showFieldErrors(f, err);
      alert.hidden = false;
      clear(alert, h('strong', null, err instanceof ApiError && err.notServed ? 'This operation is not served by this Frontline build yet.' : (err.message || 'Could not save.')),
        unmatched.length ? h('ul', null, unmatched.map((m) => h('li', null, m))) : null);
      if (!Object.keys(err.fields || {}).length) alert.focus?.();
    } finally {
      submit.disabled = false;
      submit.removeAttribute('aria-busy');
    }
  });
  return f;
}

// ---------- tables ----------
/**
 * table({columns:[{key,label,sortable,render(row),class}], fetch({page,limit,sort,order,filters}) -> {rows,total},
 *        filters:[field specs], limit, rowKey, caption, onRow(row), actions(row) -> nodes})
 * Returns {el, reload}.
 */
export function table(opts) {
  const state = { page: 1, limit: opts.limit || 20, sort: opts.sort || null, order: opts.order || 'desc', filters: { ...(opts.initialFilters || {}) } };
  const body = h('div', { class: 'table-body' });
  const pager = h('nav', { class: 'pager', 'aria-label': `${opts.caption || 'Table'} pages` });
  let filterBar = null;
  if (opts.filters?.length) {
    filterBar = h('form', { class: 'filters', role: 'search', 'aria-label': `Filter ${opts.caption || ''}` },
      opts.filters.map((f) => field({ ...f, value: state.filters[f.name] ?? f.value })),
      h('div', { class: 'filter-actions' },
        h('button', { type: 'submit', class: 'btn' }, 'Apply'),
        h('button', { type: 'reset', class: 'btn btn-ghost' }, 'Reset')));
    filterBar.addEventListener('submit', (e) => { e.preventDefault(); state.filters = readFields(filterBar); state.page = 1; reload(); });
    filterBar.addEventListener('reset', () => setTimeout(() => { state.filters = {}; state.page = 1; reload(); }));
    filterBar.querySelectorAll('select').forEach((s) => s.addEventListener('change', () => filterBar.requestSubmit()));
    filterBar.addEventListener('pick', () => filterBar.requestSubmit());
  }
  const el = h('div', { class: 'table-wrap' }, opts.toolbar || null, filterBar, body, pager);

  function header() {
    return h('thead', null, h('tr', null, opts.columns.map((c) => {
      if (!c.sortable) return h('th', { scope: 'col', class: c.class }, c.label);
      const active = state.sort === c.key;
      const aria = active ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none';
      return h('th', { scope: 'col', 'aria-sort': aria, class: c.class },
        h('button', { type: 'button', class: 'sort', onclick: () => {
          if (state.sort === c.key) state.order = state.order === 'asc' ? 'desc' : 'asc';
          else { state.sort = c.key; state.order = c.defaultOrder || 'asc'; }
          reload();
        } }, c.label, h('span', { 'aria-hidden': 'true', class: 'sort-ind' }, active ? (state.order === 'asc' ? ' ▲' : ' ▼') : ' ↕')));
    }), opts.actions ? h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')) : null));
  }

  async function reload() {
    clear(body, loading());
    clear(pager);
    try {
      const { rows, total } = await opts.fetch({ ...state });
      if (!rows.length) {
        clear(body, empty(opts.emptyText || 'No rows match.'));
      } else {
        const tbody = h('tbody', null, rows.map((r) => {
          const tr = h('tr', { class: opts.onRow ? 'clickable' : null },
            opts.columns.map((c) => h('td', { class: c.class, 'data-label': c.label }, c.render ? c.render(r) : fmtCell(r[c.key]))),
            opts.actions ? h('td', { class: 'row-actions' }, opts.actions(r)) : null);
          if (opts.onRow) {
            tr.tabIndex = 0;
            tr.addEventListener('click', (e) => { if (!e.target.closest('button,a,input,select')) opts.onRow(r); });
            tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' && e.target === tr) opts.onRow(r); });
          }
          return tr;
        }));
        clear(body, h('table', { class: 'table' }, opts.caption ? h('caption', { class: 'sr-only' }, opts.caption) : null, header(), tbody));
      }
      if (!rows.length && state.page === 1) return;
      const pages = total != null && !isNaN(total) ? Math.max(1, Math.ceil(total / state.limit)) : null;
      const hasNext = pages ? state.page < pages : rows.length === state.limit;
      clear(pager,
        h('button', { type: 'button', class: 'btn btn-small', disabled: state.page <= 1, onclick: () => { state.page--; reload(); } }, '‹ Previous'),
        h('span', { class: 'pager-info' }, pages ? `Page ${state.page} of ${pages} · ${fmt.num(total)} total` : `Page ${state.page}`),
        h('button', { type: 'button', class: 'btn btn-small', disabled: !hasNext, onclick: () => { state.page++; reload(); } }, 'Next ›'));
    } catch (err) {
      clear(body, errorState(err, reload));
    }
  }
  reload();
  return { el, reload, state };
}
function fmtCell(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (typeof v === 'object') return JSON.stringify(v);
  return typeof v === 'string' && isCode(v) ? fmt.label(v) : String(v);
}

/** For endpoints that return a whole array: filter/sort/page in the browser. */
export function localPage(all, { page, limit, sort, order, filters }, match) {
  let rows = all.slice();
  if (match && filters) rows = rows.filter((r) => match(r, filters));
  if (sort) {
    rows.sort((a, b) => {
      const x = a[sort]; const y = b[sort];
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
      return order === 'asc' ? c : -c;
    });
  }
  return { rows: rows.slice((page - 1) * limit, page * limit), total: rows.length };
}

// ---------- tabs ----------
/** tabs([{id,label,render(container)}], active, onChange) — ARIA tabs with arrow keys. */
export function tabs(list, activeId, onChange) {
  const panel = h('div', { class: 'tab-panel', role: 'tabpanel', tabindex: '0' });
  const bar = h('div', { class: 'tabs', role: 'tablist' });
  const buttons = list.map((t) => h('button', {
    type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-selected': String(t.id === activeId), tabindex: t.id === activeId ? '0' : '-1',
    onclick: () => onChange(t.id),
  }, t.label));
  bar.append(...buttons);
  bar.addEventListener('keydown', (e) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const n = buttons[(i + (e.key === 'ArrowRight' ? 1 : buttons.length - 1)) % buttons.length];
      n.focus();
      e.preventDefault();
    }
  });
  const active = list.find((t) => t.id === activeId) || list[0];
  panel.setAttribute('aria-labelledby', `tab-${active.id}`);
  active.render(panel);
  return h('div', { class: 'tabset' }, bar, panel);
}

export function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', null, k), h('dd', null, v instanceof Node ? v : fmtCell(v))]));
}
export function card(title, ...children) {
  return h('section', { class: 'card' }, title ? h('h3', null, title) : null, ...children);
}
export function stat(label, value, hint) {
  return h('div', { class: 'stat' }, h('div', { class: 'stat-value' }, value), h('div', { class: 'stat-label' }, label), hint ? h('div', { class: 'stat-hint' }, hint) : null);
}
/** A button; `aria` names it fully where the visible label is short (a row's "Edit"). */
export function btn(label, onclick, kind = '', aria = null) {
  return h('button', { type: 'button', class: `btn ${kind}`, onclick, 'aria-label': aria }, label);
}
/** A button that disables itself while its async action runs and toasts errors. */
export function actionBtn(label, action, kind = '', aria = null) {
  const b = btn(label, async () => {
    b.disabled = true; b.setAttribute('aria-busy', 'true');
    try { await action(); } catch (err) { toastError(err); } finally { b.disabled = false; b.removeAttribute('aria-busy'); }
  }, kind, aria);
  return b;
}
/**
 * A download control for a server file URL. Same-origin files are fetched with
 * the bearer token (module report downloads need it) and saved from a blob;
 * other URLs (signed links) are plain links.
 */
export function downloadLink(url, label = 'Download', kind = 'btn btn-primary') {
  const u = new URL(url, location.href);
  if (u.origin !== location.origin) return h('a', { class: kind, href: url, download: '', rel: 'noopener' }, label);
  const b = h('a', { class: kind, href: u.pathname + u.search, download: '' }, label);
  b.addEventListener('click', async (e) => {
    e.preventDefault();
    b.setAttribute('aria-busy', 'true');
    try {
      const r = await fetch(u.pathname + u.search, { headers: session.token ? { Authorization: `Bearer ${session.token}` } : {} });
      if (!r.ok) {
        const body = await r.json().catch(() => null);
        throw new ApiError({ status: r.status, ...normaliseError(body, r.status) });
      }
      const cd = r.headers.get('content-disposition') || '';
      const name = decodeURIComponent((/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd) || [])[1] || u.pathname.split('/').filter(Boolean).pop() || 'download');
      download(await r.blob(), name);
    } catch (err) { toastError(err); } finally { b.removeAttribute('aria-busy'); }
  });
  return b;
}

export function download(blobOrUrl, name) {
  const url = typeof blobOrUrl === 'string' ? blobOrUrl : URL.createObjectURL(blobOrUrl);
  const a = h('a', { href: url, download: name || '' });
  document.body.append(a); a.click(); a.remove();
  if (typeof blobOrUrl !== 'string') setTimeout(() => URL.revokeObjectURL(url), 5000);
}

/** A value shown once (an API key, a secret, a token) with a Copy button. */
export function copyable(value, label = 'Copy', testid = null) {
  const code = h('code', { class: 'copy-value', 'data-testid': testid }, value);
  const b = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `${label} ${value.length > 24 ? value.slice(0, 12) + '…' : value}` }, label);
  b.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // no clipboard permission: select the text so Ctrl+C copies it
      const r = document.createRange(); r.selectNodeContents(code);
      const s = getSelection(); s.removeAllRanges(); s.addRange(r);
      document.execCommand?.('copy');
    }
    b.textContent = 'Copied';
    toast('Copied to the clipboard.', 'success');
    setTimeout(() => { b.textContent = label; }, 2000);
  });
  return h('span', { class: 'copyable' }, code, ' ', b);
}
