// The operator console: the public HTTP API of the node that served it, nothing else.
// Every value from the API is put into the page as text (text nodes), never parsed as markup.
import { ChangeSubscription } from './sse.js';
import { groupedBars, hbars, legend, legendRows, reliability, sparkline } from './charts.js';
import { RateSeries, sumCounters } from './metrics.js';

/** Where a stream starts: 'latest' (only what is journaled from now on; also for an empty field) or an offset. */
function streamStart(raw) {
  const text = String(raw).trim();
  if (text === '' || text === 'latest') return 'latest';
  return Math.max(0, Number(text) || 0);
}

const KEY_STORE = 'profile-engine.api-key';
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- DOM helpers

/** An element with properties (class, id, data-*, on* handlers) and children (nodes, text, arrays). */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

function card(title, ...children) {
  return h('div', { class: 'card' }, h('h2', {}, title), ...children);
}

/** A definition list of [name, value] pairs; values shown as text. */
function kv(pairs, id) {
  return h('dl', { class: 'kv', id }, pairs.filter(([, v]) => v !== undefined).map(([k, v]) => [h('dt', {}, k), h('dd', {}, fmt(v))]));
}

function fmt(v) {
  if (v == null) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function empty(text) {
  return h('p', { class: 'empty' }, text);
}

// ---------------------------------------------------------------- API access

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function authHeaders() {
  const key = sessionStorage.getItem(KEY_STORE);
  return key ? { Authorization: 'Bearer ' + key } : {};
}

/**
 * A JSON call with the tab's key (or `headers` when a key is being tried); with the tab's key a
 * 401 sends the operator back to the key prompt.
 */
async function api(path, { method = 'GET', headers = null, body } = {}) {
  return (await call(path, { method, headers, accept: 'application/json', body })).json;
}

/** The Prometheus text of `path` (e.g. /metrics) with the tab's key. */
async function apiText(path) {
  return (await call(path, { accept: 'text/plain' })).text;
}

async function call(path, { method = 'GET', headers = null, accept, body }) {
  const tabKey = headers === null;
  const sent = { ...(tabKey ? authHeaders() : headers), Accept: accept };
  if (body !== undefined) sent['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers: sent, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'the node did not answer: ' + e.message);
  }
  const text = await response.text().catch(() => '');
  let answer = null;
  if (accept === 'application/json' || !response.ok) {
    try { answer = JSON.parse(text); } catch (e) { /* empty or not JSON */ }
  }
  if (!response.ok) {
    // The reason with the part of the request it is about ("percent: an integer 1..100 is required").
    const reason = answer && typeof answer.error === 'string' ? answer.error : response.statusText;
    const field = answer && typeof answer.field === 'string' && !reason.startsWith(answer.field) ? answer.field + ': ' : '';
    const message = field + reason;
    const err = new ApiError(response.status, message);
    if (response.status === 401 && tabKey) signOut('The node refused the key: ' + message);
    throw err;
  }
  return { json: answer, text };
}

function encode(id) {
  return encodeURIComponent(id);
}

// ---------------------------------------------------------------- key prompt

function showLogin(message) {
  $('app').hidden = true;
  $('nav').hidden = true;
  $('signout').hidden = true;
  $('login').hidden = false;
  const err = $('login-error');
  err.hidden = !message;
  replace(err, message || '');
  $('api-key').focus();
}

function signOut(message) {
  sessionStorage.removeItem(KEY_STORE);
  stopAll();
  showLogin(message);
}

/** Tries a key against a read route; stores it for the tab only if the node accepts it. */
async function tryKey(key) {
  const headers = key ? { Authorization: 'Bearer ' + key } : {};
  try {
    await api('/v1/segments', { headers });
  } catch (e) {
    if (e.status === 401) return 'Refused: the node does not accept this key (' + e.message + ').';
    if (e.status === 403) return 'Refused: this key lacks the read scope the console needs (' + e.message + ').';
    return 'The node could not check the key: ' + (e.status || '') + ' ' + e.message;
  }
  // An empty key (an open node) is kept too, so a reload does not ask again.
  sessionStorage.setItem(KEY_STORE, key);
  return null;
}

// ---------------------------------------------------------------- navigation

const pages = ['explorer', 'stream', 'segments', 'models', 'cluster'];
let current = null;

function show(page, params = {}) {
  current = page;
  for (const p of pages) $('page-' + p).hidden = p !== page;
  for (const b of document.querySelectorAll('#nav button')) b.classList.toggle('active', b.dataset.page === page);
  const q = new URLSearchParams();
  if (page === 'explorer' && params.identity) q.set('identity', params.identity);
  else if (page === 'explorer' && params.user) q.set('user', params.user);
  else if (page !== 'explorer') q.set('page', page);
  history.replaceState(null, '', '/console/' + (q.toString() ? '?' + q : ''));
  if (page === 'explorer') explorer.open(params);
  else explorer.close();
  if (page === 'stream') stream.enter();
  else stream.suspend();
  if (page === 'segments') segments.load();
  if (page === 'models') models.load();
  if (page === 'cluster') cluster.enter();
  else cluster.leave();
}

function stopAll() {
  explorer.close();
  stream.stop();
  cluster.leave();
}

function userLink(userId) {
  return h('button', { type: 'button', class: 'link', onclick: () => show('explorer', { user: userId }) }, userId);
}

// ---------------------------------------------------------------- profile explorer

/**
 * Newest-first rows of a list, added in batches: a catch-up of thousands of changes costs one
 * DOM update per 50 ms, keeping only the newest `max` rows.
 */
class BatchedList {
  constructor(element, max, render) {
    this.element = element;
    this.max = max;
    this.render = render;
    this.pending = [];
    this.scheduled = false;
  }

  add(item) {
    this.pending.push(item);
    if (this.pending.length > this.max) this.pending.shift();
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => this.flush(), 50);
    }
  }

  flush() {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    const el = this.element();
    const fragment = document.createDocumentFragment();
    for (let i = batch.length - 1; i >= 0; i--) fragment.appendChild(this.render(batch[i]));
    el.prepend(fragment);
    while (el.children.length > this.max) el.lastChild.remove();
  }

  clear() {
    this.pending = [];
    replace(this.element());
  }
}

/**
 * What the explorer looks up: `{ user }`, a user id or a profile key (`~anonymousId:abc`) read as
 * the path, or `{ identity }`, a typed identity `type:value` read with `?identity=`. The lookup
 * form's select says which: a plain user id may hold colons, so the text alone cannot.
 */
function lookupFrom(kind, text) {
  const value = String(text || '').trim();
  if (!value) return {};
  return kind === 'identity' ? { identity: value } : { user: value };
}

function lookupPlaceholder() {
  $('user-id').placeholder = $('lookup-kind').value === 'identity'
    ? 'type:value, e.g. anonymousId:abc or email:ann@example.com' : 'user id, or a key such as ~anonymousId:abc';
}

function describe(lookup) {
  return lookup.identity ? 'identity ' + lookup.identity : 'user ' + lookup.user;
}

/** The profile path for a lookup, with `suffix` (e.g. /recommendations) and query `extra` pairs. */
function profilePath(lookup, suffix = '', extra = []) {
  const q = new URLSearchParams(extra);
  if (lookup.identity) q.set('identity', lookup.identity);
  const base = '/v1/profiles/' + encode(lookup.identity ? '_' : lookup.user) + suffix;
  return q.toString() ? base + '?' + q : base;
}

/**
 * The key of an identity's own profile, to follow before it has one: a user id is its own key,
 * another type `~type:value` (values of hashed types are keyed by their hash, which only the node knows).
 */
function identityKey(identity) {
  const colon = identity.indexOf(':');
  if (colon <= 0) return identity;
  const type = identity.slice(0, colon);
  return type === 'userId' ? identity.slice(colon + 1) : '~' + identity;
}

const explorer = {
  list: new BatchedList(() => $('changes'), 50, changeItem),
  lookup: null,
  following: null,
  subscription: null,
  refreshing: false,
  again: false,
  timer: null,

  /** Opens a lookup ({ user } or { identity }); reads the profile and follows the changes of the canonical one. */
  open(params) {
    const lookup = params.identity ? { identity: params.identity } : params.user ? { user: params.user } : null;
    if (!lookup) { this.close(); replace($('profile'), empty('Enter a user id, a profile key or an identity.')); return; }
    if (this.lookup && describe(lookup) === describe(this.lookup) && this.subscription) return;
    this.close();
    this.lookup = lookup;
    $('lookup-kind').value = lookup.identity ? 'identity' : 'user';
    $('user-id').value = lookup.identity || lookup.user;
    lookupPlaceholder();
    this.list.clear();
    replace($('profile'), empty('Loading…'));
    // A user id or key is followed at once; an identity once the read names its canonical profile.
    if (lookup.user) this.follow(lookup.user);
    this.refresh();
  },

  /** Follows the changes of profile `key` from its first one; a new canonical profile replaces the old list. */
  follow(key) {
    if (key === this.following && this.subscription) return;
    if (this.subscription) this.subscription.stop();
    this.following = key;
    this.list.clear();
    this.subscription = new ChangeSubscription({
      params: [['userId', key]], headers: authHeaders(), from: 0,
      onChange: (c) => { if (key === this.following) this.changed(c); },
      onStatus: (text, isError, status) => {
        if (key !== this.following) return;
        setBadge($('live-status'), text, isError);
        if (status === 401) signOut('The node refused the key.');
      },
    }).start();
  },

  close() {
    if (this.subscription) this.subscription.stop();
    this.subscription = null;
    this.lookup = null;
    this.following = null;
    clearTimeout(this.timer);
    setBadge($('live-status'), 'idle', false);
  },

  changed(c) {
    this.list.add(c);
    // Coalesce a burst (catch-up from the user's history) into one read of the profile. A merged
    // or unmerged change lands here too: the read shows the new identities, and a lookup whose
    // identity moved to another canonical profile follows that one.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), 100);
  },

  async refresh() {
    if (this.refreshing) { this.again = true; return; }
    this.refreshing = true;
    const lookup = this.lookup;
    try {
      // One after the other: a user with no profile has no recommendations to ask for (no second 404).
      const profile = await api(profilePath(lookup));
      const recs = await api(profilePath(lookup, '/recommendations', [['k', '10']])).catch(() => null);
      if (lookup !== this.lookup) return;
      this.follow(profile.userId);
      renderProfile(profile, recs, lookup);
    } catch (e) {
      if (lookup !== this.lookup) return;
      if (e.status === 404) {
        if (lookup.identity) this.follow(identityKey(lookup.identity));
        replace($('profile'), h('p', { class: 'empty', id: 'profile-missing' }, 'No profile for ' + (lookup.identity ? 'identity ' : 'user '),
          h('b', {}, lookup.identity || lookup.user), ' (yet): it appears here as soon as an event arrives.'));
      } else if (e.status !== 401) replace($('profile'), h('p', { class: 'refusal' }, 'Could not read the profile: ' + e.status + ' ' + e.message));
    } finally {
      this.refreshing = false;
      if (this.again) { this.again = false; this.refresh(); }
    }
  },
};

function setBadge(el, text, isError) {
  replace(el, text);
  el.classList.toggle('bad', !!isError);
  el.classList.toggle('good', text === 'live');
}

function changeItem(c) {
  const ids = Array.isArray(c.eventIds) ? c.eventIds : [];
  const li = h('li', { 'data-offset': c.offset, 'data-cause': c.cause },
    h('span', { class: 'offset' }, '#' + c.offset), ' ',
    h('span', { class: 'cause cause-' + String(c.cause).replace(/[^a-z]/g, '') }, c.cause), ' ',
    h('span', { class: 'at' }, c.at || ''), ' ',
    h('span', { class: 'summary' }, summarize(c.changes)),
    ids.length ? h('span', { class: 'event-ids' }, ' ', ids.join(' ')) : null);
  return li;
}

function summarize(changes) {
  if (changes == null) return '';
  const s = JSON.stringify(changes);
  return s.length > 240 ? s.slice(0, 239) + '…' : s;
}

const TYPE_ORDER = ['view', 'click', 'favorite', 'cart', 'purchase', 'search'];

/** Identity types in the order people look for them: the user id, anonymous ids, then the rest by name. */
function identityTypes(identities) {
  const first = ['userId', 'anonymousId'];
  return Object.keys(identities).sort((a, b) => {
    const ia = first.indexOf(a), ib = first.indexOf(b);
    if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** Each linked identity type with its values, as text; values of personal-data types are the node's hashes (h:...). */
function identitiesCard(identities) {
  const types = identityTypes(identities || {});
  const values = (t) => (Array.isArray(identities[t]) ? identities[t] : [identities[t]]);
  const hashed = types.some((t) => values(t).some((v) => String(v).startsWith('h:')));
  return card('Identities',
    types.length ? h('table', { class: 'grid', id: 'identities' }, h('tbody', {}, types.map((t) =>
      h('tr', { 'data-type': t }, h('th', {}, t), h('td', {}, values(t).map((v) => h('span', { class: 'chip identity' }, v)))))))
      : empty('no linked identities'),
    hashed ? h('p', { class: 'empty' }, 'h:… values are personal data, hashed by the node; look them up in clear (e.g. email:ann@example.com).') : null);
}

function renderProfile(p, recs, lookup) {
  const known = new Set(['userId', 'identities', 'eventCount', 'firstSeen', 'lastEventTime', 'asOf', 'counts', 'sessions', 'interests', 'spend',
    'context', 'attributes', 'recent', 'prediction', 'churn', 'flags', 'segments', 'consent']);
  const windows = Object.keys(p.counts || {});
  const types = [...new Set(windows.flatMap((w) => Object.keys(p.counts[w])))]
    .sort((a, b) => (TYPE_ORDER.indexOf(a) + 99) % 99 - (TYPE_ORDER.indexOf(b) + 99) % 99);
  const out = [];

  const byIdentity = lookup && lookup.identity;
  out.push(h('div', { class: 'card head' },
    h('h2', {}, 'User ', h('span', { id: 'profile-user' }, p.userId)),
    byIdentity || (lookup && lookup.user !== p.userId)
      ? h('p', { id: 'profile-lookup' }, 'looked up by ', h('b', {}, describe(lookup)), ': the canonical profile it is linked to') : null,
    kv([['events', p.eventCount], ['first seen', p.firstSeen], ['latest event', p.lastEventTime], ['windows as of', p.asOf]], 'profile-summary')));
  out.push(identitiesCard(p.identities));

  const countTable = h('table', { class: 'grid', id: 'counts' },
    h('thead', {}, h('tr', {}, h('th', {}, 'window'), types.map((t) => h('th', {}, t)))),
    h('tbody', {}, windows.map((w) => h('tr', {}, h('th', {}, w),
      types.map((t) => h('td', { 'data-window': w, 'data-type': t }, String(p.counts[w][t] ?? 0)))))));
  out.push(h('div', { class: 'card wide' }, h('h2', {}, 'Behaviors per window'),
    groupedBars(windows.map((w) => ({ label: w, values: p.counts[w] })), types), legend(types), countTable));

  const s = p.sessions || {};
  out.push(card('Sessions', kv(Object.entries(s))));

  const cats = (p.interests && p.interests.categories) || [];
  const brands = (p.interests && p.interests.brands) || [];
  out.push(card('Interests (decayed)',
    h('h3', {}, 'categories'), cats.length ? hbars(cats.map((c) => ({ label: c.id, value: c.score })), { max: 1 }) : empty('none'),
    h('h3', {}, 'brands'), brands.length ? hbars(brands.map((c) => ({ label: c.id, value: c.score, series: 1 })), { max: 1 }) : empty('none')));

  const spend = p.spend || {};
  const { rfm, ...spendRest } = spend;
  out.push(card('Spend and RFM', kv(Object.entries(spendRest)), rfm ? [h('h3', {}, 'RFM'), kv(Object.entries(rfm))] : empty('no RFM yet (no purchase)')));

  const ctx = p.context || {};
  const dist = ctx.distribution || {};
  out.push(card('Context',
    h('h3', {}, 'last'), Object.keys(ctx.last || {}).length ? kv(Object.entries(ctx.last)) : empty('none'),
    h('h3', {}, 'distribution'),
    contextDistribution(dist)));

  const attrs = Object.entries(p.attributes || {});
  const consent = (p.consent && p.consent.purposes) || {};
  out.push(card('Attributes and consent',
    attrs.length ? h('table', { class: 'grid', id: 'attributes' }, h('tbody', {}, attrs.map(([k, v]) =>
      h('tr', {}, h('th', {}, k), h('td', {}, fmt(v)))))) : empty('no attributes'),
    h('h3', {}, 'consent'), kv(Object.entries(consent).map(([k, v]) => [k, v ? 'yes' : 'no']), 'consent')));

  const churn = p.churn || {};
  const flags = p.flags || [];
  out.push(card('Segments, churn and flags',
    h('div', { id: 'segment-chips' }, (p.segments || []).length ? (p.segments || []).map((sg) => h('span', { class: 'chip' }, sg)) : empty('in no segment')),
    h('h3', {}, 'churn risk'), hbars([{ label: 'risk', value: churn.risk || 0, series: 4 }], { max: 1, format: (v) => v.toFixed(2) }),
    h('ul', { class: 'reasons' }, (churn.reasons || []).map((r) => h('li', {}, r))),
    h('h3', {}, 'anomaly flags'),
    flags.length ? h('ul', { class: 'reasons', id: 'flags' }, flags.map((f) => h('li', {}, h('b', {}, f.name), ': ', f.reason))) : empty('none raised')));

  const pr = p.prediction;
  if (pr) {
    const nb = Object.entries(pr.nextBehavior || {}).map(([k, v]) => ({ label: k, value: v, series: Math.max(0, TYPE_ORDER.indexOf(k)) }));
    const nc = (pr.nextCategories || []).map((c) => ({ label: c.id, value: c.probability, series: 2 }));
    out.push(card('Next behavior (model)',
      h('p', {}, 'model ', h('b', { id: 'model-version' }, pr.modelVersion), ' · ',
        h('span', { class: pr.stale ? 'badge bad' : 'badge good', id: 'prediction-stale' }, pr.stale ? 'stale: events arrived since' : 'fresh'),
        ' · as of event ', String(pr.asOfEventCount), ' · computed ', pr.computedAt || '—'),
      h('h3', {}, 'next behavior'), hbars(nb, { max: 1 }),
      h('h3', {}, 'next categories'), nc.length ? hbars(nc, { max: 1 }) : empty('none')));
  } else {
    out.push(card('Next behavior (model)', empty('no prediction yet')));
  }

  const items = (recs && recs.items) || [];
  out.push(card('Recommendations' + (recs && recs.modelVersion ? ' (' + recs.modelVersion + ')' : ''),
    items.length ? h('table', { class: 'grid', id: 'recommendations' },
      h('thead', {}, h('tr', {}, h('th', {}, 'category'), h('th', {}, 'score'), h('th', {}, 'reason'), h('th', {}, 'parts'))),
      h('tbody', {}, items.map((r) => h('tr', {}, h('td', {}, r.categoryId), h('td', {}, fmt(r.score)), h('td', {}, r.reason),
        h('td', {}, Object.entries(r.parts || {}).map(([k, v]) => k + ' ' + fmt(v)).join(', ')))))) : empty('none')));

  const recent = (p.recent || []).slice().reverse();
  out.push(card('Recent timeline (newest first)',
    recent.length ? h('ol', { class: 'timeline', id: 'timeline' }, recent.map((r) =>
      h('li', {}, h('span', { class: 'at' }, r.time), ' ', h('b', {}, r.type), r.categoryId != null ? [' category ', h('span', { class: 'cat' }, r.categoryId)] : null,
        Object.entries(r).filter(([k]) => !['time', 'type', 'categoryId'].includes(k)).map(([k, v]) => ' ' + k + ' ' + fmt(v))))) : empty('none')));

  const others = Object.entries(p).filter(([k]) => !known.has(k));
  if (others.length) out.push(card('Other fields', kv(others)));
  replace($('profile'), out);
}

function contextDistribution(dist) {
  const fields = Object.entries(dist).filter(([, m]) => Object.keys(m || {}).length);
  if (!fields.length) return empty('none');
  return fields.map(([field, m]) => [h('h4', {}, field),
    hbars(Object.entries(m).map(([k, v]) => ({ label: k, value: Number(v) })), { format: (v) => String(Math.round(v * 1000) / 1000) })]);
}

// ---------------------------------------------------------------- live stream

function streamRow(c) {
  return h('tr', { 'data-offset': c.offset, 'data-user': c.userId },
    h('td', {}, String(c.offset)), h('td', {}, c.at || ''), h('td', {}, userLink(c.userId)),
    h('td', {}, c.cause), h('td', { class: 'summary' }, summarize(c.changes), (c.eventIds || []).length ? ' [' + c.eventIds.join(' ') + ']' : ''));
}

const stream = {
  rows: new BatchedList(() => $('stream-rows'), 200, streamRow),
  countersScheduled: false,
  subscription: null,
  paused: false,
  offset: 0,
  count: 0,
  arrivals: 0,
  rates: [],
  filters: null,
  ticker: null,

  enter() {
    if (!this.ticker) this.ticker = setInterval(() => this.tick(), 1000);
    if (!this.filters) this.apply();
    else if (!this.subscription && !this.paused) this.connect();
  },

  /** Leaving the page stops reading; coming back continues after the last offset. */
  suspend() {
    this.stop();
    if (this.filters && !this.paused) replace($('stream-status'), 'stopped at offset ' + this.offset);
  },

  apply() {
    const user = $('stream-user').value.trim();
    const segment = $('stream-segment').value.trim();
    const from = streamStart($('stream-from').value);
    this.filters = { user, segment, cause: $('stream-cause').value };
    this.stop();
    this.rows.clear();
    this.offset = from;
    this.count = 0;
    this.paused = false;
    replace($('stream-toggle'), 'Pause');
    this.connect();
  },

  connect() {
    const params = [];
    if (this.filters.user) params.push(['userId', this.filters.user]);
    if (this.filters.segment) params.push(['segment', this.filters.segment]);
    this.subscription = new ChangeSubscription({
      params, headers: authHeaders(), from: this.offset,
      onChange: (c) => this.received(c),
      onStatus: (text, isError, status) => {
        replace($('stream-status'), text);
        $('stream-status').classList.toggle('bad', !!isError);
        if (status === 401) signOut('The node refused the key.');
      },
    }).start();
  },

  toggle() {
    if (!this.filters) { this.apply(); return; }
    if (this.paused) {
      this.paused = false;
      replace($('stream-toggle'), 'Pause');
      this.connect();
    } else {
      this.paused = true;
      this.stop();
      replace($('stream-toggle'), 'Resume');
      replace($('stream-status'), 'paused at offset ' + this.offset);
    }
  },

  stop() {
    if (this.subscription) this.subscription.stop();
    this.subscription = null;
  },

  received(c) {
    this.offset = c.offset;
    this.count++;
    this.arrivals++;
    if (!this.filters.cause || c.cause === this.filters.cause) this.rows.add(c);
    if (!this.countersScheduled) {
      this.countersScheduled = true;
      setTimeout(() => {
        this.countersScheduled = false;
        replace($('stream-offset'), String(this.offset));
        replace($('stream-count'), String(this.count));
      }, 50);
    }
  },

  tick() {
    this.rates.push(this.arrivals);
    this.arrivals = 0;
    if (this.rates.length > 60) this.rates.shift();
    const last = this.rates.slice(-5);
    replace($('stream-rate'), (last.reduce((a, b) => a + b, 0) / last.length).toFixed(1));
    if (current === 'stream') replace($('stream-spark'), sparkline(this.rates));
  },
};

// ---------------------------------------------------------------- segments

function pageSizeSelect(current, onChange) {
  const select = h('select', { id: 'members-page-size' }, [10, 20, 50, 100].map((n) => h('option', { value: n, selected: n === current ? 'selected' : null }, String(n))));
  select.addEventListener('change', () => onChange(Number(select.value)));
  return select;
}

const segments = {
  async load() {
    try {
      const s = await api('/v1/segments');
      const list = s.segments || [];
      replace($('segments'),
        card('Segments',
          h('table', { class: 'grid', id: 'segment-table' },
            h('thead', {}, h('tr', {}, ['segment', 'description', 'rule', 'ads', 'members', ''].map((t) => h('th', {}, t)))),
            h('tbody', {}, list.map((sg) => h('tr', { 'data-segment': sg.id },
              h('td', {}, sg.id), h('td', {}, sg.description || ''), h('td', {}, h('code', {}, sg.rule)), h('td', {}, sg.ads ? 'yes' : 'no'),
              h('td', { class: 'num' }, String(sg.members)),
              h('td', {}, h('button', { type: 'button', class: 'members-open', onclick: () => this.members(sg.id, []) }, 'members')))))),
          hbars(list.map((sg) => ({ label: sg.id, value: sg.members, series: 3 })), { format: (v) => String(v), labelWidth: 170 })),
        card('Re-evaluation', kv(Object.entries(s.reevaluation || {}), 'reevaluation'),
          h('div', { class: 'pager' },
            h('button', { type: 'button', id: 'reevaluate', onclick: () => this.reevaluate() }, 'Re-evaluate every profile (admin key)'),
            h('span', { id: 'reevaluate-result' }))));
    } catch (e) {
      if (e.status !== 401) replace($('segments'), h('p', { class: 'refusal' }, 'Could not read segments: ' + e.message));
    }
  },

  /** Starts a re-evaluation of every profile's segments; needs an admin key, else shows the refusal. */
  async reevaluate() {
    const out = $('reevaluate-result');
    replace(out, 'starting…');
    try {
      const r = await api('/v1/segments/reevaluate', { method: 'POST' });
      replace(out, 'started (' + fmt(r.status && r.status.state) + ')');
      setTimeout(() => { if (current === 'segments') this.load(); }, 1000);
    } catch (e) {
      if (e.status === 409) replace(out, 'a re-evaluation is already running');
      else if (e.status !== 401) replace(out, h('span', { class: 'refusal' }, 'Refused: ' + e.status + ' ' + e.message));
    }
  },

  /** One page of members; `trail` holds the `after` cursors of the pages before it. */
  pageSize: 20,

  async members(id, trail) {
    const after = trail.length ? trail[trail.length - 1] : null;
    try {
      const page = await api('/v1/segments/' + encode(id) + '/members?limit=' + this.pageSize + (after ? '&after=' + encode(after) : ''));
      const rows = page.members || [];
      replace($('members'), card('Members of ' + id,
        h('p', {}, 'page ', h('b', { id: 'members-page' }, String(trail.length + 1)), ' · ', String(rows.length), ' shown · ',
          h('label', {}, 'per page ', pageSizeSelect(this.pageSize, (n) => { this.pageSize = n; this.members(id, []); }))),
        h('ol', { class: 'members', id: 'member-list', start: trail.length * this.pageSize + 1 }, rows.map((m) =>
          h('li', {}, userLink(m.userId), m.since ? h('span', { class: 'at' }, ' since ' + new Date(m.since).toISOString()) : null))),
        h('div', { class: 'pager' },
          h('button', { type: 'button', id: 'members-prev', disabled: trail.length === 0 ? 'disabled' : null, onclick: () => this.members(id, trail.slice(0, -1)) }, 'Previous'),
          h('button', { type: 'button', id: 'members-next', disabled: page.next ? null : 'disabled', onclick: () => this.members(id, [...trail, page.next]) }, 'Next'))));
    } catch (e) {
      if (e.status !== 401) replace($('members'), h('p', { class: 'refusal' }, 'Could not read members: ' + e.message));
    }
  },
};

// ---------------------------------------------------------------- models

const models = {
  // Bumped by each load: an older load's answers arrive late and must not draw over a newer one.
  generation: 0,

  async load() {
    const generation = ++this.generation;
    try {
      const m = await api('/v1/models');
      if (generation !== this.generation) return;
      const online = Object.entries(m.online || {});
      const pool = m.pool || {};
      const { batchSizeHistogram, ...poolRest } = pool;
      const versions = m.versions || [];
      replace($('models'),
        card('Serving', kv([['serving', m.serving], ['degraded', m.degraded ? 'yes (Markov fallback)' : 'no'], ['versions', versions.join(', ')],
          ['candidate', m.candidate], ['candidate percent', m.candidatePercent]], 'models-serving')),
        versionsCard(m, versions, (text, run) => this.confirm(text, run)),
        card('Online accuracy',
          online.length ? h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ['version', 'scored', 'accuracy', 'log-loss'].map((t) => h('th', {}, t)))),
            h('tbody', {}, online.map(([v, o]) => h('tr', {}, h('td', {}, v), h('td', {}, fmt(o.scored)), h('td', {}, fmt(o.accuracy)), h('td', {}, fmt(o.logLoss))))))
            : empty('nothing scored yet')),
        card('Inference pool', kv(Object.entries(poolRest)),
          batchSizeHistogram ? [h('h3', {}, 'batch sizes'), hbars(Object.entries(batchSizeHistogram).map(([k, v]) => ({ label: k, value: v, series: 5 })), { format: (v) => String(v) })] : null),
        trainingCard(m.training, (text, run) => this.confirm(text, run)),
        card('Assignment (stored for the cluster)', kv(Object.entries(m.assignment || {}))),
        card('Nodes', h('table', { class: 'grid', id: 'model-nodes' },
          h('thead', {}, h('tr', {}, ['node', 'serving', 'candidate', 'percent', 'revision', 'error'].map((t) => h('th', {}, t)))),
          h('tbody', {}, (m.nodes || []).map((n) => h('tr', {}, h('td', {}, n.node), h('td', {}, n.serving), h('td', {}, fmt(n.candidate)),
            h('td', {}, fmt(n.candidatePercent)), h('td', {}, fmt(n.appliedRevision)), h('td', {}, n.error || '')))))),
        h('h2', { class: 'section' }, 'Held-out evaluation of each version'),
        h('div', { id: 'evaluations' }, versions.map((v) => h('div', { class: 'card evaluation', 'data-version': v }, h('h2', {}, 'Evaluation of ', v),
          empty('loading…')))));
      // One request per version, drawn as each answers.
      for (const v of versions) this.evaluation(v, generation);
    } catch (e) {
      if (e.status !== 401) replace($('models'), h('p', { class: 'refusal' }, 'Could not read models: ' + e.message));
    }
  },

  async evaluation(version, generation) {
    let content;
    try {
      content = evaluationCharts(await api('/v1/models/' + encode(version) + '/evaluation'));
    } catch (e) {
      if (e.status === 401) return;
      content = h('p', { class: e.status === 404 ? 'empty' : 'refusal' }, (e.status === 404 ? 'No report: ' : 'Report not shown: ' + e.status + ' ') + e.message);
    }
    if (generation !== this.generation) return;
    const target = [...document.querySelectorAll('#evaluations .evaluation')].find((el) => el.dataset.version === version);
    if (target) replace(target, h('h2', {}, 'Evaluation of ', version), content);
  },

  /** Asks before an admin change; on Confirm runs it, shows the API's answer or refusal, and reloads the page after a success. */
  confirm(question, run) {
    const out = $('model-action');
    out.hidden = false;
    out.className = 'confirm';
    replace(out, h('span', { id: 'model-action-question' }, question),
      h('button', { type: 'button', id: 'model-action-confirm', onclick: () => this.run(run) }, 'Confirm'),
      h('button', { type: 'button', id: 'model-action-cancel', onclick: () => { out.hidden = true; replace(out); } }, 'Cancel'));
    out.scrollIntoView({ block: 'nearest' });
  },

  async run(action) {
    const out = $('model-action');
    out.className = '';
    replace(out, h('span', { id: 'model-action-result' }, 'sending…'));
    try {
      const r = await action();
      const a = (r && r.assignment) || {};
      replace(out, h('span', { id: 'model-action-result', class: 'done' }, r && r.run ? 'Training ' + r.run.id + ' started: its steps show below.'
        : 'Stored (revision ' + fmt(a.revision) + '): active ' + fmt(a.active)
        + ', candidate ' + fmt(a.candidate) + (a.candidate ? ' at ' + fmt(a.candidatePercent) + '%' : '') + '. Every node follows within seconds.'));
      await this.load();
    } catch (e) {
      if (e.status !== 401) replace(out, h('span', { id: 'model-action-result', class: 'refusal' }, 'Refused: ' + (e.status || '') + ' ' + e.message));
    }
  },
};

/** Each version with its admin actions: serve it everywhere, or route a share of users to it. */
function versionsCard(m, versions, confirm) {
  const percentInput = (v) => h('input', { type: 'number', min: 1, max: 100, value: 10, class: 'candidate-percent', 'aria-label': 'percent of users for ' + v });
  const rows = versions.map((v) => {
    const percent = percentInput(v);
    return h('tr', { 'data-version': v },
      h('td', {}, v),
      h('td', {}, v === m.serving ? h('span', { class: 'badge good' }, 'serving') : null,
        v === m.candidate ? h('span', { class: 'badge' }, 'candidate ' + fmt(m.candidatePercent) + '%') : null),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'activate', disabled: v === m.serving ? 'disabled' : null,
          onclick: () => confirm('Serve ' + v + ' on every node?', () => api('/v1/models/' + encode(v) + '/activate', { method: 'POST' })) }, 'Activate'),
        percent, '%',
        h('button', { type: 'button', class: 'set-candidate',
          onclick: () => {
            const p = Number(percent.value);
            confirm('Route ' + p + '% of users to ' + v + ' (A/B candidate) on every node?',
              () => api('/v1/models/candidate', { method: 'PUT', body: { version: v, percent: p } }));
          } }, 'Set as candidate')));
  });
  return card('Versions (changes need an admin key)',
    h('table', { class: 'grid', id: 'model-versions' }, h('thead', {}, h('tr', {}, ['version', '', 'change'].map((t) => h('th', {}, t)))), h('tbody', {}, rows)),
    h('div', { class: 'pager' }, h('button', { type: 'button', id: 'clear-candidate', disabled: m.candidate ? null : 'disabled',
      onclick: () => confirm('End the A/B test (clear the candidate ' + fmt(m.candidate) + ') on every node?',
        () => api('/v1/models/candidate', { method: 'DELETE' })) }, 'Clear candidate')));
}

/** The feedback loop: whether this node can train, the rule, the schedule, and the latest runs with their steps. */
function trainingCard(t, confirm) {
  if (!t) return card('Training', empty('not available: predictions are off'));
  const r = t.rule || {};
  const num = (v) => (v == null ? '—' : Number(v).toFixed(4));
  const runs = t.runs || [];
  return card('Training (the feedback loop; starting a run needs an admin key)',
    t.available ? null : h('p', { class: 'refusal', id: 'training-unavailable' }, 'This node cannot train: ' + t.unavailableBecause),
    kv([['rule', 'served if held-out log-loss <= ' + r.offlineMaxLogLossRatio + 'x the serving model; promoted once both scored '
      + r.minScored + ' predictions if online log-loss <= ' + r.maxLogLossRatio + 'x, else rolled back (at most ' + r.maxCompare + ')'],
      ['candidate share', fmt(t.candidatePercent) + '%'],
      ['schedule', !t.schedule || t.schedule === 'off' ? 'off: runs start on request only'
        : 'a run every ' + t.schedule.every + ', next at ' + t.schedule.nextAt]], 'training-rule'),
    h('div', { class: 'pager' }, h('button', { type: 'button', id: 'train', disabled: t.available && !t.current ? null : 'disabled',
      onclick: () => confirm('Train a candidate from the journal, compare it and promote or roll it back?',
        () => api('/v1/models/train', { method: 'POST', body: {} })) }, 'Train a candidate')),
    runs.length ? h('table', { class: 'grid', id: 'training-runs' },
      h('thead', {}, h('tr', {}, ['run', 'status', 'candidate', 'behaviors', 'held-out log-loss (candidate / serving)',
        'online log-loss (candidate / serving)', 'steps', 'reason'].map((x) => h('th', {}, x)))),
      h('tbody', {}, runs.map((run) => h('tr', { 'data-run': run.id },
        h('td', {}, run.id), h('td', {}, run.status), h('td', {}, fmt(run.candidate)), h('td', {}, fmt(run.events)),
        h('td', {}, num(run.offlineCandidate && run.offlineCandidate.logLoss) + ' / ' + num(run.offlineServing && run.offlineServing.logLoss)),
        h('td', {}, num(run.onlineCandidate && run.onlineCandidate.logLoss) + ' / ' + num(run.onlineServing && run.onlineServing.logLoss)),
        h('td', {}, (run.steps || []).map((st) => st.status).join(' → ')), h('td', {}, run.reason || '')))))
      : empty('no training run yet'));
}

const pct = (v) => (v == null ? '—' : v.toFixed(3));

/** The rows of an evaluate --json report, model first, as [key, row] pairs. */
function reportRows(report) {
  return Object.entries(report).filter(([, r]) => r && typeof r === 'object').sort(([a], [b]) => (a === 'model' ? -1 : b === 'model' ? 1 : 0));
}

/**
 * An evaluate --json report as charts: F1 per next-behavior type (model and every baseline), the
 * reliability of the model's probabilities against the best log-loss baseline, and category Hit@10 and
 * Recall@10 of the recommender rows against the category baselines; then the paired differences.
 */
function evaluationCharts(report) {
  const model = report.model || {};
  const rows = reportRows(report);
  const out = [kv([['model', model.version], ['data', model.data], ['users', model.users], ['predicted events', model.predictedEvents],
    ['accuracy', model.accuracy], ['macro-F1', model.macroF1], ['log-loss', model.logLoss],
    ['bootstrap', model.bootstrap ? model.bootstrap.resamples + ' resamples, seed ' + model.bootstrap.seed : undefined]], 'evaluation-summary')];

  const typed = rows.filter(([, r]) => r.f1PerType && typeof r.f1PerType === 'object');
  if (typed.length) {
    const types = Object.keys(typed[0][1].f1PerType);
    const titles = typed.map(([k, r]) => String(r.title || k));
    out.push(h('h3', {}, 'F1 per next-behavior type'),
      groupedBars(types.map((t) => ({ label: t, values: Object.fromEntries(typed.map(([k, r], i) => [titles[i], Number(r.f1PerType[t]) || 0])) })), titles,
        { max: 1, format: pct, labels: titles.length <= 4, height: 200 }),
      legendRows(titles));
  }

  const curves = rows.filter(([, r]) => Array.isArray(r.reliability) && r.reliability.length);
  if (curves.length) {
    const isBaseline = ([k]) => k !== 'model' && !k.startsWith('rec');
    const best = curves.filter(isBaseline).sort(([, a], [, b]) => (a.logLoss ?? Infinity) - (b.logLoss ?? Infinity))[0];
    const shown = curves.filter(([k]) => k === 'model').concat(best ? [best] : []);
    const titles = shown.map(([k, r]) => String(r.title || k) + ' (log-loss ' + pct(r.logLoss) + ')');
    out.push(h('h3', {}, 'Calibration: observed frequency against predicted probability (10 bins)'),
      reliability(shown.map(([, r], i) => ({ label: titles[i],
        points: r.reliability.map((b) => ({ x: Number(b.meanPredicted) || 0, y: Number(b.observed) || 0, count: b.count })) }))),
      legendRows(titles), h('p', { class: 'empty' }, 'dashed: perfectly calibrated; a dot per bin, its count in the tooltip'));
  }

  const categories = rows.filter(([, r]) => typeof r.categoryHitRateAt10 === 'number');
  if (categories.length) {
    const series = ([k]) => (k === 'model' ? 0 : k.startsWith('rec') ? 1 : 7);
    const item = (metric) => ([k, r]) => ({ label: String(r.title || k), value: r[metric] ?? 0, series: series([k]) });
    out.push(h('h3', {}, 'Next category: Hit@10 (model, recommender, baselines in grey)'),
      hbars(categories.map(item('categoryHitRateAt10')), { max: 1, labelWidth: 250, width: 560, clipAt: 40 }),
      h('h3', {}, 'Next category: Recall@10'),
      hbars(categories.filter(([, r]) => typeof r.categoryRecallAt10 === 'number').map(item('categoryRecallAt10')), { max: 1, labelWidth: 250, width: 560, clipAt: 40 }));
  }

  const vs = Object.entries(model.vsBestBaseline || {});
  if (vs.length) {
    const ci = (c) => (c && c.lo != null ? '[' + c.lo.toFixed(4) + ', ' + c.hi.toFixed(4) + ']' : '');
    out.push(h('h3', {}, 'Model minus the best baseline (paired, 95% bootstrap interval)'),
      h('table', { class: 'grid vs-best' }, h('thead', {}, h('tr', {}, ['metric', 'best baseline', 'difference', '95% interval'].map((t) => h('th', {}, t)))),
        h('tbody', {}, vs.map(([metric, d]) => h('tr', {}, h('td', {}, metric), h('td', {}, String((report[d.baseline] && report[d.baseline].title) || d.baseline)),
          h('td', { class: 'num' }, d.difference == null ? '—' : (d.difference >= 0 ? '+' : '') + d.difference.toFixed(4)), h('td', {}, ci(d.ci95)))))));
  }
  return out;
}

// ---------------------------------------------------------------- cluster

/** host:port of an Akka address (akka://system@host:port), for labels; the whole address elsewhere. */
function hostPort(address) {
  const at = String(address).lastIndexOf('@');
  return at >= 0 ? String(address).slice(at + 1) : String(address);
}

function memberStatus(m) {
  const ok = m.status === 'Up' && m.reachable;
  return h('span', { class: ok ? 'badge good' : 'badge bad' }, m.status + (m.reachable ? '' : ' (unreachable)'));
}

/**
 * Members (GET /v1/cluster/members) every 4 s and this node's ingest and read rates from
 * successive samples of its counters (GET /metrics) every 2 s, while the page is open.
 */
const cluster = {
  timer: null,
  ticks: 0,
  sampling: false,
  loading: false,
  ingest: new RateSeries(60),
  reads: new RateSeries(60),
  samples: 0,

  enter() {
    if (this.timer) return;
    this.ticks = 0;
    this.tick();
    this.timer = setInterval(() => this.tick(), 2000);
  },

  leave() {
    clearInterval(this.timer);
    this.timer = null;
  },

  tick() {
    if (this.ticks++ % 2 === 0) this.load();
    this.sample();
  },

  async sample() {
    if (this.sampling) return;
    this.sampling = true;
    const error = $('cluster-metrics-error');
    try {
      const text = await apiText('/metrics');
      const now = Date.now();
      const sums = sumCounters(text, ['profile_ingest_events_total', 'profile_reads_total']);
      this.ingest.add(sums.profile_ingest_events_total, now);
      this.reads.add(sums.profile_reads_total, now);
      this.samples++;
      error.hidden = true;
      this.show();
    } catch (e) {
      error.hidden = false;
      replace(error, 'Could not read /metrics: ' + (e.status || '') + ' ' + e.message);
    } finally {
      this.sampling = false;
    }
  },

  show() {
    const rate = (series) => { const r = series.recent(5); return r === null ? '—' : r.toFixed(1); };
    replace($('cluster-ingest-rate'), rate(this.ingest));
    replace($('cluster-read-rate'), rate(this.reads));
    replace($('cluster-ingest-total'), fmt(this.ingest.total));
    replace($('cluster-read-total'), fmt(this.reads.total));
    replace($('cluster-samples'), String(this.samples));
    if (current === 'cluster') {
      replace($('cluster-ingest-spark'), sparkline(this.ingest.rates));
      replace($('cluster-read-spark'), sparkline(this.reads.rates));
    }
  },

  async load() {
    if (this.loading) return;
    this.loading = true;
    try {
      const [c, ready] = await Promise.all([
        api('/v1/cluster/members'),
        api('/ready').catch((e) => (e.status === 503 ? { status: 'not ready' } : { status: 'unknown: ' + e.message }))]);
      if (current === 'cluster') renderCluster(c, ready);
    } catch (e) {
      if (e.status !== 401) replace($('cluster'), h('p', { class: 'refusal' }, 'Could not read the members: ' + e.status + ' ' + e.message));
    } finally {
      this.loading = false;
    }
  },
};

function renderCluster(c, ready) {
  const members = c.members || [];
  const up = members.filter((m) => m.status === 'Up').length;
  const unreachable = members.filter((m) => !m.reachable).length;
  const counted = members.filter((m) => m.shards != null);
  replace($('cluster'),
    card('Members',
      kv([['this node', c.self], ['members', members.length], ['up', up], ['unreachable', unreachable],
        ['leader', c.leader], ['oldest', c.oldest]], 'cluster-summary'),
      h('table', { class: 'grid', id: 'cluster-members' },
        h('thead', {}, h('tr', {}, ['node', 'status', 'roles', 'version', '', 'shards', 'active profiles'].map((t) => h('th', {}, t)))),
        h('tbody', {}, members.map((m) => h('tr', { 'data-address': m.address },
          h('td', {}, m.address),
          h('td', { 'data-field': 'status' }, memberStatus(m)),
          h('td', {}, (m.roles || []).join(', ')),
          h('td', {}, m.appVersion || ''),
          h('td', {}, m.self ? h('span', { class: 'chip' }, 'this node') : null, m.leader ? h('span', { class: 'chip' }, 'leader') : null,
            m.oldest ? h('span', { class: 'chip' }, 'oldest') : null),
          h('td', { class: 'num', 'data-field': 'shards' }, fmt(m.shards)),
          h('td', { class: 'num', 'data-field': 'activeProfiles' }, fmt(m.activeProfiles))))))),
    card('Shards per node',
      counted.length ? hbars(counted.map((m) => ({ label: hostPort(m.address), value: m.shards, series: 0 })), { format: (v) => String(v), labelWidth: 170 })
        : empty('no shard region answered')),
    card('Active profiles per node',
      counted.length ? hbars(counted.map((m) => ({ label: hostPort(m.address), value: m.activeProfiles, series: 1 })), { format: (v) => String(v), labelWidth: 170 })
        : empty('no shard region answered')),
    card('This node\u2019s readiness', kv(Object.entries(ready || {}), 'cluster-ready')));
}

// ---------------------------------------------------------------- start

function startApp() {
  $('login').hidden = true;
  $('app').hidden = false;
  $('nav').hidden = false;
  $('signout').hidden = false;
  const q = new URLSearchParams(location.search);
  const page = pages.includes(q.get('page')) ? q.get('page') : 'explorer';
  if (page === 'stream') {
    // A link can open the stream filtered: ?page=stream&user=..&segment=..&cause=..&from=..
    $('stream-user').value = q.get('user') || '';
    $('stream-segment').value = q.get('segment') || '';
    $('stream-cause').value = q.get('cause') || '';
    $('stream-from').value = String(streamStart(q.get('from') || '0'));
  }
  // The explorer opens on ?identity=type:value or ?user=<id or key>.
  show(page, page === 'explorer' ? { identity: q.get('identity') || '', user: q.get('user') || '' } : {});
}

function init() {
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = $('api-key').value.trim();
    $('login-submit').disabled = true;
    const refusal = await tryKey(key);
    $('login-submit').disabled = false;
    if (refusal) { showLogin(refusal); return; }
    $('api-key').value = '';
    startApp();
  });
  $('signout').addEventListener('click', () => signOut(null));
  const formLookup = () => lookupFrom($('lookup-kind').value, $('user-id').value);
  for (const b of document.querySelectorAll('#nav button')) b.addEventListener('click', () => show(b.dataset.page, explorer.lookup || formLookup()));
  $('lookup').addEventListener('submit', (e) => {
    e.preventDefault();
    explorer.close();
    show('explorer', formLookup());
  });
  $('lookup-kind').addEventListener('change', lookupPlaceholder);
  $('stream-filters').addEventListener('submit', (e) => { e.preventDefault(); stream.apply(); });
  $('stream-toggle').addEventListener('click', () => stream.toggle());

  if (sessionStorage.getItem(KEY_STORE) === null) { showLogin(null); return; }
  tryKey(sessionStorage.getItem(KEY_STORE)).then((refusal) => (refusal ? signOut(refusal) : startApp()));
}

init();
