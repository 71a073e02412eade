/**
 * A small, pure query engine over spans: a Sentry-like search filter, an aggregate over a field,
 * time buckets and an optional group-by. No UI, no DOM; the Explore-style panels and the alert
 * rules (alerts.ts) are built on it.
 *
 * Search syntax (space-separated terms, all must hold):
 *   key:value            equality against String(value), case-sensitive; `*` is a wildcard (span.op:http.*)
 *   key:"a b"            quoted value (\" and \\ escape inside quotes)
 *   !key:value           negation (also matches spans that do not have the key)
 *   key:>5 >=5 <5 <=5    numeric comparison; span.duration takes units: span.duration:>200ms, :>1.5s
 *   key:[a,b,"c d"]      in-list
 *   has:key / !has:key   the field is present (not undefined or null)
 *   word / "a phrase"    case-insensitive substring of span.name (negatable: !word)
 *
 * Fields: span.name, span.op, span.status, span.duration (end - start, ms), service, trace (traceId),
 * sdk, is_segment; anything else is attributes[key]; an unknown `span.x` falls back to attributes['span.x']
 * then attributes['x']. Array attribute values match a term when any element does.
 *
 * Numbers: finite numbers, and strings that read as one ("3"), count as numeric; anything else is
 * skipped by sum/avg/min/max/pXX and never satisfies a comparison.
 *
 * Percentiles use linear interpolation between closest ranks (numpy's default, "R-7"):
 * rank h = (n - 1) * p, value = v[floor(h)] + (h - floor(h)) * (v[floor(h) + 1] - v[floor(h)]).
 * They are found by selection (quickselect), not by sorting.
 */
import { isRecord, show } from './json-shape.ts';
import type { AttributeValue, Span } from './model.ts';

export type AggregateFn = 'count' | 'sum' | 'avg' | 'min' | 'max' | 'p50' | 'p75' | 'p95' | 'p99';

export const AGGREGATES: readonly AggregateFn[] = ['count', 'sum', 'avg', 'min', 'max', 'p50', 'p75', 'p95', 'p99'];

export interface SpanQuery {
  /** Sentry-like search, e.g. `span.name:"Submit Checkout Form" items_at_checkout:>0` */
  filter: string;
  aggregate: AggregateFn;
  /** Field the aggregate reads: 'span.duration' (ms) or any attribute name; ignored for count. */
  field?: string;
  /** Optional field to group by (e.g. 'http.route', 'span.status', 'service'). */
  groupBy?: string;
}

export interface QueryWindow {
  start: number;
  end: number;
  bucketMs: number;
}

export interface Series {
  group: string;
  values: (number | null)[];
  total: number | null;
}

export interface QueryResult {
  /** Start time of each bucket; bucket i covers [buckets[i], buckets[i] + bucketMs) clipped to window.end. */
  buckets: number[];
  series: Series[];
  /** Spans inside the window that matched the filter. */
  matched: number;
}

export type FilterParse<T = Span> = { ok: true; matches: (item: T) => boolean } | { ok: false; error: string; position: number };

/** A bad filter, field, aggregate or window. `position` is set for filter errors (0-based index into the filter). */
export class QueryError extends Error {
  readonly position: number | undefined;
  constructor(message: string, position?: number) {
    super(message);
    this.name = 'QueryError';
    this.position = position;
  }
}

/** At most this many groups get their own series; the rest are merged into one named OTHER_GROUP. */
export const MAX_GROUPS = 10;
export const OTHER_GROUP = 'other';
export const NONE_GROUP = '(none)';
/** A guard against a window/bucket pair that would allocate millions of buckets. */
export const MAX_BUCKETS = 10_000;

// ---------------------------------------------------------------------------------------------
// Fields

type Getter = (span: Span) => AttributeValue | undefined;

const KNOWN_FIELDS: Record<string, Getter> = {
  'span.name': (span) => span.name,
  'span.op': (span) => span.op,
  'span.status': (span) => span.status,
  'span.duration': (span) => span.end - span.start,
  service: (span) => span.service,
  trace: (span) => span.traceId,
  sdk: (span) => span.sdk,
  is_segment: (span) => span.isSegment,
};

/** A compiled reader for one field: resolve the field name once, not per span. */
export function fieldGetter(field: string): Getter {
  const known = KNOWN_FIELDS[field];
  if (known) return known;
  if (field.startsWith('span.')) {
    const bare = field.slice(5);
    return (span) => {
      const value = span.attributes[field];
      return value === undefined ? span.attributes[bare] : value;
    };
  }
  return (span) => span.attributes[field];
}

export function fieldValue(span: Span, field: string): AttributeValue | undefined {
  return fieldGetter(field)(span);
}

/** The numeric reading of a value, or NaN: finite numbers, and strings that read as a finite number. */
export function toNumber(value: AttributeValue | undefined): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : NaN;
  }
  return NaN;
}

// ---------------------------------------------------------------------------------------------
// Filter parsing

type Predicate<T> = (item: T) => boolean;

/**
 * What a filter searches: how a `key:` reads a field of an item, what free text looks at, and
 * which fields hold durations (so `>200ms` reads). Spans are one kind (Traces, Explore,
 * dashboards, alerts); issues another (the Issues panel): one language for both.
 */
export interface FilterSchema<T> {
  field: (name: string) => (item: T) => AttributeValue | undefined;
  text: (item: T) => string;
  isDuration: (name: string) => boolean;
}

export const SPAN_FILTER: FilterSchema<Span> = {
  field: fieldGetter,
  text: (span) => span.name,
  isDuration: (name) => name === 'span.duration',
};
type ValueTest = (value: AttributeValue | undefined) => boolean;

class ParseError {
  readonly message: string;
  readonly position: number;
  constructor(message: string, position: number) {
    this.message = message;
    this.position = position;
  }
}

const isSpace = (ch: string | undefined): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Equality against String(value), with `*` as a wildcard; arrays match when any element does. */
function equalityTest(expected: string, allowWildcard: boolean): ValueTest {
  let test: (text: string) => boolean;
  if (allowWildcard && expected.includes('*')) {
    const re = new RegExp(`^${expected.split('*').map(escapeRegExp).join('[\\s\\S]*')}$`);
    test = (text) => re.test(text);
  } else {
    test = (text) => text === expected;
  }
  const one = (value: AttributeValue | undefined): boolean => {
    if (value === undefined || value === null) return false;
    if (typeof value === 'string') return test(value);
    if (Array.isArray(value)) return value.some(one);
    return test(String(value));
  };
  return one;
}

function numericTest(op: '>' | '>=' | '<' | '<=', limit: number): ValueTest {
  const one = (value: AttributeValue | undefined): boolean => {
    if (Array.isArray(value)) return value.some(one);
    const n = toNumber(value);
    if (Number.isNaN(n)) return false;
    switch (op) {
      case '>':
        return n > limit;
      case '>=':
        return n >= limit;
      case '<':
        return n < limit;
      case '<=':
        return n <= limit;
    }
  };
  return one;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** A number, or for durations a number with a unit (ms, s, m/min, h); NaN if it is neither. */
function readNumber(text: string, isDuration: boolean): number {
  const match = /^(-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([a-z]*)$/i.exec(text);
  if (!match) return NaN;
  const unit = match[2]!.toLowerCase();
  if (unit === '') return Number(match[1]);
  if (!isDuration) return NaN;
  const scale = DURATION_UNITS[unit];
  return scale === undefined ? NaN : Number(match[1]) * scale;
}

class FilterParser<T> {
  private pos = 0;
  private readonly text: string;
  private readonly schema: FilterSchema<T>;
  constructor(text: string, schema: FilterSchema<T>) {
    this.text = text;
    this.schema = schema;
  }

  parse(): Predicate<T>[] {
    const terms: Predicate<T>[] = [];
    for (;;) {
      while (isSpace(this.text[this.pos])) this.pos++;
      if (this.pos >= this.text.length) return terms;
      terms.push(this.term());
    }
  }

  private term(): Predicate<T> {
    const start = this.pos;
    let negate = false;
    if (this.text[this.pos] === '!') {
      negate = true;
      this.pos++;
      if (this.pos >= this.text.length || isSpace(this.text[this.pos])) {
        throw new ParseError(`Nothing after "!" at position ${start}: write !key:value, !has:key or !word`, start);
      }
    }
    const predicate = this.positiveTerm();
    return negate ? (item) => !predicate(item) : predicate;
  }

  private positiveTerm(): Predicate<T> {
    const start = this.pos;
    if (this.text[this.pos] === '"') {
      const phrase = this.quoted();
      this.expectTermEnd();
      return this.textContains(phrase);
    }
    // A key runs up to ':', whitespace, a quote or the end.
    let end = this.pos;
    while (end < this.text.length && this.text[end] !== ':' && this.text[end] !== '"' && !isSpace(this.text[end])) end++;
    if (this.text[end] !== ':') {
      // A bare word: everything up to whitespace.
      while (end < this.text.length && !isSpace(this.text[end])) end++;
      const word = this.text.slice(this.pos, end);
      if (word.includes('"')) {
        throw new ParseError(`Unexpected quote in "${word}" at position ${start}: quote the whole phrase, or write key:"value"`, start + word.indexOf('"'));
      }
      this.pos = end;
      return this.textContains(word);
    }
    const key = this.text.slice(this.pos, end);
    if (key === '') throw new ParseError(`Missing field name before ":" at position ${start}`, start);
    this.pos = end + 1;
    const valueAt = this.pos;
    const next = this.text[this.pos];
    if (next === undefined || isSpace(next)) {
      throw new ParseError(`Missing value after "${key}:" at position ${valueAt}`, valueAt);
    }

    if (key === 'has') {
      const field = next === '"' ? this.quoted() : this.word();
      this.expectTermEnd();
      if (field === '') throw new ParseError(`Missing field name after "has:" at position ${valueAt}`, valueAt);
      const get = this.schema.field(field);
      return (item) => {
        const value = get(item);
        return value !== undefined && value !== null;
      };
    }

    const get = this.schema.field(key);
    const test = this.valueTest(key);
    return (item) => test(get(item));
  }

  /** Free text: a case-insensitive match anywhere in what the schema says an item reads as. */
  private textContains(needle: string): Predicate<T> {
    if (needle === '') return () => true;
    const re = new RegExp(escapeRegExp(needle), 'i');
    return (item) => re.test(this.schema.text(item));
  }

  private valueTest(key: string): ValueTest {
    const at = this.pos;
    const ch = this.text[at];
    if (ch === '"') {
      const value = this.quoted();
      this.expectTermEnd();
      return equalityTest(value, true);
    }
    if (ch === '[') return this.list(key);
    if (ch === '>' || ch === '<') {
      const op = (this.text[at + 1] === '=' ? `${ch}=` : ch) as '>' | '>=' | '<' | '<=';
      this.pos += op.length;
      const numberAt = this.pos;
      const raw = this.word();
      if (raw === '') throw new ParseError(`Missing number after "${key}:${op}" at position ${numberAt}`, numberAt);
      const limit = readNumber(raw, this.schema.isDuration(key));
      if (Number.isNaN(limit)) {
        const hint = this.schema.isDuration(key) ? ' (a number of ms, or with a unit: 200ms, 1.5s)' : '';
        throw new ParseError(`Expected a number after "${key}:${op}" at position ${numberAt}, got "${raw}"${hint}`, numberAt);
      }
      return numericTest(op, limit);
    }
    const raw = this.word();
    if (raw.includes('"')) {
      throw new ParseError(`Unexpected quote in the value of "${key}:" at position ${at + raw.indexOf('"')}: quote the whole value`, at + raw.indexOf('"'));
    }
    if (this.schema.isDuration(key)) {
      const ms = readNumber(raw, true);
      if (!Number.isNaN(ms)) return (value) => toNumber(value) === ms;
    }
    return equalityTest(raw, true);
  }

  private list(key: string): ValueTest {
    const open = this.pos;
    this.pos++;
    const items: string[] = [];
    for (;;) {
      while (isSpace(this.text[this.pos])) this.pos++;
      const ch = this.text[this.pos];
      if (ch === undefined) throw new ParseError(`Unterminated list: the "[" at position ${open} is never closed with "]"`, open);
      if (ch === ']' && items.length === 0) throw new ParseError(`Empty list after "${key}:" at position ${open}`, open);
      let item: string;
      if (ch === '"') {
        item = this.quoted();
      } else {
        const from = this.pos;
        while (this.pos < this.text.length && !',]"'.includes(this.text[this.pos]!) && !isSpace(this.text[this.pos])) this.pos++;
        item = this.text.slice(from, this.pos);
        if (item === '') throw new ParseError(`Empty item in the list after "${key}:" at position ${from}`, from);
      }
      items.push(item);
      while (isSpace(this.text[this.pos])) this.pos++;
      const sep = this.text[this.pos];
      if (sep === ',') {
        this.pos++;
        continue;
      }
      if (sep === ']') {
        this.pos++;
        break;
      }
      if (sep === undefined) throw new ParseError(`Unterminated list: the "[" at position ${open} is never closed with "]"`, open);
      throw new ParseError(`Expected "," or "]" in the list after "${key}:" at position ${this.pos}, got "${sep}"`, this.pos);
    }
    this.expectTermEnd();
    const exact = new Set(items.filter((item) => !item.includes('*')));
    const wild = items.filter((item) => item.includes('*')).map((item) => equalityTest(item, true));
    const one = (value: AttributeValue | undefined): boolean => {
      if (value === undefined || value === null) return false;
      if (Array.isArray(value)) return value.some(one);
      const text = typeof value === 'string' ? value : String(value);
      if (exact.has(text)) return true;
      for (const test of wild) if (test(text)) return true;
      return false;
    };
    return one;
  }

  /** A quoted string starting at this.pos; \" and \\ are escapes. */
  private quoted(): string {
    const open = this.pos;
    let out = '';
    let i = open + 1;
    while (i < this.text.length) {
      const ch = this.text[i]!;
      if (ch === '\\' && i + 1 < this.text.length) {
        out += this.text[i + 1];
        i += 2;
        continue;
      }
      if (ch === '"') {
        this.pos = i + 1;
        return out;
      }
      out += ch;
      i++;
    }
    throw new ParseError(`Unterminated quote: the " at position ${open} is never closed`, open);
  }

  private word(): string {
    const from = this.pos;
    while (this.pos < this.text.length && !isSpace(this.text[this.pos])) this.pos++;
    return this.text.slice(from, this.pos);
  }

  private expectTermEnd(): void {
    const ch = this.text[this.pos];
    if (ch !== undefined && !isSpace(ch)) {
      throw new ParseError(`Unexpected "${ch}" at position ${this.pos}: put a space between search terms`, this.pos);
    }
  }
}

function combine<T>(terms: Predicate<T>[]): Predicate<T> {
  const [a, b, c] = terms;
  if (terms.length === 0 || !a) return () => true;
  if (terms.length === 1) return a;
  if (terms.length === 2 && b) return (item) => a(item) && b(item);
  if (terms.length === 3 && b && c) return (item) => a(item) && b(item) && c(item);
  return (item) => {
    for (let i = 0; i < terms.length; i++) if (!terms[i]!(item)) return false;
    return true;
  };
}

export function parseFilter<T = Span>(text: string, schema: FilterSchema<T> = SPAN_FILTER as unknown as FilterSchema<T>): FilterParse<T> {
  try {
    return { ok: true, matches: combine(new FilterParser(text, schema).parse()) };
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, error: error.message, position: error.position };
    throw error;
  }
}

/** parseFilter, throwing QueryError on a bad filter. */
export function compileFilter(text: string): (span: Span) => boolean {
  const parsed = parseFilter(text);
  if (!parsed.ok) throw new QueryError(`Bad filter: ${parsed.error}`, parsed.position);
  return parsed.matches;
}

// ---------------------------------------------------------------------------------------------
// Aggregation

function checkAggregate(query: Pick<SpanQuery, 'aggregate' | 'field'>): void {
  if (!AGGREGATES.includes(query.aggregate)) {
    throw new QueryError(`Unknown aggregate "${String(query.aggregate)}": use one of ${AGGREGATES.join(', ')}`);
  }
  if (query.aggregate !== 'count' && (typeof query.field !== 'string' || query.field === '')) {
    throw new QueryError(`${query.aggregate}() needs a field, e.g. span.duration or items_at_checkout`);
  }
}

const PERCENTILES: Partial<Record<AggregateFn, number>> = { p50: 0.5, p75: 0.75, p95: 0.95, p99: 0.99 };

/** Rearranges a[lo..hi) so that a[k] holds the value of rank k (0-based) within that range. */
function select(a: Float64Array, lo: number, hi: number, k: number): void {
  let left = lo;
  let right = hi - 1;
  while (right > left) {
    // Median of three as the pivot, then Hoare partition.
    const mid = (left + right) >>> 1;
    let x = a[left]!;
    let y = a[mid]!;
    let z = a[right]!;
    if (x > y) [x, y] = [y, x];
    if (y > z) [y, z] = [z, y];
    if (x > y) [x, y] = [y, x];
    const pivot = y;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

/** The p-quantile (0..1) of a[lo..hi), by linear interpolation between closest ranks; reorders that range. */
export function percentileOf(a: Float64Array, lo: number, hi: number, p: number): number | null {
  const n = hi - lo;
  if (n <= 0) return null;
  const h = (n - 1) * p;
  const below = Math.floor(h);
  select(a, lo, hi, lo + below);
  const low = a[lo + below]!;
  const frac = h - below;
  if (frac === 0 || below + 1 >= n) return low;
  // After selection everything right of lo + below is >= low; the next rank is its minimum.
  let next = Infinity;
  for (let i = lo + below + 1; i < hi; i++) if (a[i]! < next) next = a[i]!;
  return low + frac * (next - low);
}

/** The aggregate of a plain list of numbers (count is the list's length). */
export function aggregateNumbers(fn: AggregateFn, values: readonly number[]): number | null {
  if (fn === 'count') return values.length;
  if (values.length === 0) return null;
  const p = PERCENTILES[fn];
  if (p !== undefined) return percentileOf(Float64Array.from(values), 0, values.length, p);
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return fn === 'sum' ? sum : fn === 'avg' ? sum / values.length : fn === 'min' ? min : max;
}

/**
 * A query compiled once (filter, field reader) that aggregates the spans whose start lies in the
 * CLOSED range [from, to]. Optional lo/hi restrict the scan to spans[lo..hi) (e.g. after a binary
 * search over spans sorted by start). Used by alert rules; groupBy is ignored.
 */
export type CompiledAggregate = (spans: readonly Span[], from: number, to: number, lo?: number, hi?: number) => number | null;

export function compileAggregate(query: Pick<SpanQuery, 'filter' | 'aggregate' | 'field'>): CompiledAggregate {
  checkAggregate(query);
  const matches = compileFilter(query.filter);
  const fn = query.aggregate;
  if (fn === 'count') {
    return (spans, from, to, lo = 0, hi = spans.length) => {
      let n = 0;
      for (let i = lo; i < hi; i++) {
        const span = spans[i]!;
        if (span.start >= from && span.start <= to && matches(span)) n++;
      }
      return n;
    };
  }
  const get = fieldGetter(query.field!);
  return (spans, from, to, lo = 0, hi = spans.length) => {
    const values: number[] = [];
    for (let i = lo; i < hi; i++) {
      const span = spans[i]!;
      if (span.start < from || span.start > to || !matches(span)) continue;
      const v = toNumber(get(span));
      if (!Number.isNaN(v)) values.push(v);
    }
    return aggregateNumbers(fn, values);
  };
}

function checkWindow(window: QueryWindow): number {
  const { start, end, bucketMs } = window;
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
    throw new QueryError(`Bad window: end (${end}) must be after start (${start})`);
  }
  if (!Number.isFinite(bucketMs) || bucketMs <= 0) throw new QueryError(`Bad window: bucketMs must be a positive number, got ${bucketMs}`);
  const count = Math.ceil((end - start) / bucketMs);
  if (count > MAX_BUCKETS) {
    throw new QueryError(`Bad window: ${count} buckets of ${bucketMs} ms; at most ${MAX_BUCKETS} are allowed, use a larger bucketMs`);
  }
  return count;
}

/**
 * Runs a query over spans in one pass. A span belongs to the bucket that holds its `start`;
 * spans starting before window.start or at/after window.end are ignored. With groupBy, the
 * MAX_GROUPS groups with the most matching spans (ties by name) get their own series, in that
 * order; the rest are merged into a last series named OTHER_GROUP. A span without the group
 * field is in NONE_GROUP.
 */
export function runQuery(spans: readonly Span[], query: SpanQuery, window: QueryWindow): QueryResult {
  checkAggregate(query);
  const matches = compileFilter(query.filter);
  const nb = checkWindow(window);
  const { start: ws, end: we, bucketMs } = window;
  const fn = query.aggregate;
  const isCount = fn === 'count';
  const get = isCount ? undefined : fieldGetter(query.field!);
  const groupGet = query.groupBy ? fieldGetter(query.groupBy) : undefined;

  // One record per counted value, in flat typed arrays: no allocation per span.
  const recGroup = groupGet ? new Int32Array(spans.length) : undefined;
  const recBucket = new Int32Array(spans.length);
  const recValue = isCount ? undefined : new Float64Array(spans.length);
  let records = 0;
  let matched = 0;
  const groupIds = new Map<string, number>();
  const groupNames: string[] = [];
  const groupSizes: number[] = [];

  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const t = span.start;
    if (!(t >= ws && t < we) || !matches(span)) continue;
    matched++;
    let g = 0;
    if (groupGet) {
      const raw = groupGet(span);
      const name = raw === undefined || raw === null ? NONE_GROUP : typeof raw === 'string' ? raw : String(raw);
      const known = groupIds.get(name);
      if (known === undefined) {
        g = groupNames.length;
        groupIds.set(name, g);
        groupNames.push(name);
        groupSizes.push(1);
      } else {
        g = known;
        groupSizes[g]!++;
      }
    }
    let value = 0;
    if (get) {
      value = toNumber(get(span));
      if (Number.isNaN(value)) continue;
    }
    let b = Math.floor((t - ws) / bucketMs);
    if (b >= nb) b = nb - 1;
    if (recGroup) recGroup[records] = g;
    recBucket[records] = b;
    if (recValue) recValue[records] = value;
    records++;
  }

  // Which series each group lands in.
  let seriesNames: string[];
  let seriesOf: Int32Array | undefined;
  if (!groupGet) {
    seriesNames = [''];
  } else {
    const order = groupNames.map((_, g) => g);
    order.sort((a, b) => groupSizes[b]! - groupSizes[a]! || (groupNames[a]! < groupNames[b]! ? -1 : groupNames[a]! > groupNames[b]! ? 1 : 0));
    const kept = order.length > MAX_GROUPS ? order.slice(0, MAX_GROUPS) : order;
    seriesNames = kept.map((g) => groupNames[g]!);
    seriesOf = new Int32Array(groupNames.length).fill(kept.length);
    for (const [s, g] of kept.entries()) seriesOf[g] = s;
    if (order.length > MAX_GROUPS) seriesNames.push(OTHER_GROUP);
  }
  const ns = seriesNames.length;
  const seriesAt = (r: number): number => (recGroup && seriesOf ? seriesOf[recGroup[r]!]! : 0);

  // Counts per (series, bucket) cell, flattened as s * nb + b.
  const cells = ns * nb;
  const counts = new Float64Array(cells);
  for (let r = 0; r < records; r++) counts[seriesAt(r) * nb + recBucket[r]!]!++;

  const values: (number | null)[][] = [];
  const totals: (number | null)[] = [];
  const p = PERCENTILES[fn];

  if (isCount) {
    for (let s = 0; s < ns; s++) {
      const row: number[] = [];
      let total = 0;
      for (let b = 0; b < nb; b++) {
        const c = counts[s * nb + b]!;
        row.push(c);
        total += c;
      }
      values.push(row);
      totals.push(total);
    }
  } else if (p !== undefined) {
    // Counting sort of the values by cell, so each cell (and each series) is one contiguous range.
    const offsets = new Float64Array(cells + 1);
    for (let c = 0; c < cells; c++) offsets[c + 1] = offsets[c]! + counts[c]!;
    const fill = offsets.slice(0, cells);
    const sorted = new Float64Array(records);
    for (let r = 0; r < records; r++) sorted[fill[seriesAt(r) * nb + recBucket[r]!]!++] = recValue![r]!;
    for (let s = 0; s < ns; s++) {
      const row: (number | null)[] = [];
      for (let b = 0; b < nb; b++) row.push(percentileOf(sorted, offsets[s * nb + b]!, offsets[s * nb + b + 1]!, p));
      values.push(row);
      // Selection only reorders inside each cell, so the series' range still holds all its values.
      totals.push(percentileOf(sorted, offsets[s * nb]!, offsets[(s + 1) * nb]!, p));
    }
  } else {
    const sums = new Float64Array(cells);
    const mins = new Float64Array(cells).fill(Infinity);
    const maxs = new Float64Array(cells).fill(-Infinity);
    for (let r = 0; r < records; r++) {
      const c = seriesAt(r) * nb + recBucket[r]!;
      const v = recValue![r]!;
      sums[c] += v;
      if (v < mins[c]!) mins[c] = v;
      if (v > maxs[c]!) maxs[c] = v;
    }
    const pick = (sum: number, n: number, min: number, max: number): number | null =>
      n === 0 ? null : fn === 'sum' ? sum : fn === 'avg' ? sum / n : fn === 'min' ? min : max;
    for (let s = 0; s < ns; s++) {
      const row: (number | null)[] = [];
      let sum = 0;
      let n = 0;
      let min = Infinity;
      let max = -Infinity;
      for (let b = 0; b < nb; b++) {
        const c = s * nb + b;
        row.push(pick(sums[c]!, counts[c]!, mins[c]!, maxs[c]!));
        sum += sums[c]!;
        n += counts[c]!;
        if (mins[c]! < min) min = mins[c]!;
        if (maxs[c]! > max) max = maxs[c]!;
      }
      values.push(row);
      totals.push(pick(sum, n, min, max));
    }
  }

  const buckets: number[] = [];
  for (let b = 0; b < nb; b++) buckets.push(ws + b * bucketMs);
  const series: Series[] = seriesNames.map((group, s) => ({ group, values: values[s]!, total: totals[s]! }));
  return { buckets, series, matched };
}

/** The aggregate as Sentry writes it: count(), avg(items_at_checkout). */
export function describeAggregate(query: Pick<SpanQuery, 'aggregate' | 'field'>): string {
  return query.aggregate === 'count' ? 'count()' : `${query.aggregate}(${query.field ?? ''})`;
}

/** E.g. `avg(items_at_checkout) where span.name:"Submit Checkout Form"`, plus ` by http.route` when grouped. */
export function describeQuery(query: SpanQuery): string {
  const filter = query.filter.trim();
  return `${describeAggregate(query)}${filter ? ` where ${filter}` : ''}${query.groupBy ? ` by ${query.groupBy}` : ''}`;
}

/**
 * Checks a query read from JSON (a dashboard widget's, an alert rule's); the error names the bad
 * field under `where`, e.g. `query.aggregate: expected one of count, sum, …, got "mean"`.
 */
export function validateQuery(input: unknown, where = 'query'): { ok: true; query: SpanQuery } | { ok: false; error: string } {
  const bad = (field: string, expected: string, got: unknown) => ({ ok: false as const, error: `${where}${field}: expected ${expected}, got ${show(got)}` });
  if (!isRecord(input)) return bad('', 'an object like {"filter": "...", "aggregate": "avg", "field": "items_at_checkout"}', input);
  const filter = input.filter === undefined ? '' : input.filter;
  if (typeof filter !== 'string') return bad('.filter', 'a search string', input.filter);
  const parsed = parseFilter(filter);
  if (!parsed.ok) return { ok: false, error: `${where}.filter: ${parsed.error}` };
  if (typeof input.aggregate !== 'string' || !AGGREGATES.includes(input.aggregate as AggregateFn))
    return bad('.aggregate', `one of ${AGGREGATES.join(', ')}`, input.aggregate);
  const aggregate = input.aggregate as AggregateFn;
  if (input.field !== undefined && (typeof input.field !== 'string' || input.field === '')) return bad('.field', 'a field name', input.field);
  if (aggregate !== 'count' && input.field === undefined) return bad('.field', `the field ${aggregate}() reads, e.g. "span.duration"`, input.field);
  if (input.groupBy !== undefined && typeof input.groupBy !== 'string') return bad('.groupBy', 'a field name', input.groupBy);
  const query: SpanQuery = { filter, aggregate };
  if (typeof input.field === 'string') query.field = input.field;
  if (typeof input.groupBy === 'string' && input.groupBy) query.groupBy = input.groupBy;
  return { ok: true, query };
}
