// Rates from the node's own Prometheus counters (GET /metrics, text format): successive samples of a
// counter's sum over its labels, turned into per-second rates. Pure functions: no DOM here.

/**
 * The sum over all label sets of each counter in `names`, from Prometheus text; a name the text
 * lacks sums to 0 (a counter with no label set seen yet).
 */
export function sumCounters(text, names) {
  const sums = Object.fromEntries(names.map((n) => [n, 0]));
  for (const raw of String(text).split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    const nameEnd = brace >= 0 && (space < 0 || brace < space) ? brace : space;
    if (nameEnd <= 0) continue;
    const name = line.slice(0, nameEnd);
    if (!(name in sums)) continue;
    // The value follows the labels (whose quoted values may hold spaces), before an optional timestamp.
    const rest = (brace === nameEnd ? line.slice(line.lastIndexOf('}') + 1) : line.slice(nameEnd)).trim().split(/\s+/);
    const value = Number(rest[0]);
    if (Number.isFinite(value)) sums[name] += value;
  }
  return sums;
}

/**
 * A counter's rate over time: each sample after the first adds the per-second increase since the
 * one before (a counter that went down, a restarted node, counts as 0). Keeps the newest `keep`.
 */
export class RateSeries {
  constructor(keep = 60) {
    this.keep = keep;
    this.rates = [];
    this.last = null;
  }

  /** Adds a sample of the counter's total at `atMillis`. */
  add(total, atMillis) {
    if (this.last && atMillis > this.last.at) {
      const rate = Math.max(0, total - this.last.total) / ((atMillis - this.last.at) / 1000);
      this.rates.push(rate);
      if (this.rates.length > this.keep) this.rates.shift();
    }
    this.last = { total, at: atMillis };
  }

  /** The mean rate over the newest `n` intervals; null before the second sample. */
  recent(n) {
    if (!this.rates.length) return null;
    const last = this.rates.slice(-n);
    return last.reduce((a, b) => a + b, 0) / last.length;
  }

  get total() {
    return this.last ? this.last.total : null;
  }
}
