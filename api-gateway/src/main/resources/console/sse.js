// The change stream read with fetch(): EventSource cannot send the Authorization header.
// Parses the text/event-stream format itself (event, id, data lines; blank line dispatches).

/** Thrown when the node answers the stream request with an HTTP error. */
export class StreamRefused extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Reads `url` with `headers` until `signal` aborts or the node ends the stream. Calls
 * `onOpen()` once connected and `onEvent({event, id, data})` for each dispatched event
 * (heartbeats and comments are skipped). Resolves when the stream ends; rejects with
 * StreamRefused on an HTTP error.
 */
export async function readEventStream(url, headers, signal, onOpen, onEvent) {
  const response = await fetch(url, { headers: { ...headers, Accept: 'text/event-stream' }, signal, cache: 'no-store' });
  if (!response.ok) {
    let message = response.statusText;
    try {
      const body = await response.json();
      if (body && typeof body.error === 'string') message = body.error;
    } catch (e) { /* not JSON: keep the status text */ }
    throw new StreamRefused(response.status, message);
  }
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { event: 'message', id: null, data: [] };
  const dispatch = () => {
    if (event.data.length > 0) onEvent({ event: event.event, id: event.id, data: event.data.join('\n') });
    event = { event: 'message', id: null, data: [] };
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let nl;
    while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') { dispatch(); continue; }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let val = colon < 0 ? '' : line.slice(colon + 1);
      if (val.startsWith(' ')) val = val.slice(1);
      if (field === 'data') event.data.push(val);
      else if (field === 'event') event.event = val;
      else if (field === 'id') event.id = val;
    }
  }
}

/**
 * A change subscription that resumes after its last offset when the node closes the stream
 * (stall, restart) and stops for good on a refusal or when stopped. `onChange(change)` gets each
 * parsed profile-changed payload once, in offset order; `onStatus(text, isError)` hears state.
 */
export class ChangeSubscription {
  constructor({ params, headers, from, onChange, onStatus }) {
    this.params = params;
    this.headers = headers;
    this.offset = from;
    this.onChange = onChange;
    this.onStatus = onStatus;
    this.controller = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.loop();
    return this;
  }

  stop() {
    this.stopped = true;
    if (this.controller) this.controller.abort();
  }

  async loop() {
    let failures = 0;
    while (!this.stopped) {
      this.controller = new AbortController();
      const q = new URLSearchParams(this.params);
      q.set('from', String(this.offset));
      try {
        await readEventStream('/v1/changes?' + q.toString(), this.headers, this.controller.signal,
          () => { failures = 0; this.onStatus('live', false); },
          (e) => this.receive(e));
        if (!this.stopped) this.onStatus('reconnecting', false);
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof StreamRefused) {
          this.onStatus('refused: ' + err.status + ' ' + err.message, true, err.status);
          return;
        }
        failures++;
        this.onStatus('disconnected, retrying', true);
        await new Promise((r) => setTimeout(r, Math.min(10000, 500 * 2 ** failures)));
      }
    }
  }

  receive(e) {
    let payload;
    try { payload = JSON.parse(e.data); } catch (err) { return; }
    if (e.event === 'close') {
      if (payload && Number.isFinite(payload.resumeFrom)) this.offset = this.offset === 'latest' ? payload.resumeFrom : Math.max(this.offset, payload.resumeFrom);
      return;
    }
    if (e.event !== 'profile-changed' || !payload || !Number.isFinite(payload.offset)) return;
    if (this.offset !== 'latest' && payload.offset <= this.offset) return; // 'latest': nothing delivered yet
    this.offset = payload.offset;
    this.onChange(payload);
  }
}
