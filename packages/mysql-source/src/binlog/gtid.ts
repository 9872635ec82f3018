/**
 * GTID positions as the two flavours write them.
 *
 * MariaDB ("Global Transaction ID" in the MariaDB knowledge base): `domain-server-sequence`, one
 * per replication domain, comma-separated (`0-1-100,1-2-7`): the last transaction applied in each
 * domain. MySQL ("GTID Format and Storage" in the MySQL manual): `uuid:interval[:interval]`,
 * comma-separated, intervals `n` or `a-b`, the set of every transaction executed.
 */
import { TidewaterError } from '@tidewater/errors';

function invalidGtid(text: string, flavour: string): TidewaterError {
  return new TidewaterError(
    'BINLOG_GTID_INVALID',
    `"${text}" is not a valid ${flavour} GTID set.`,
    {
      category: 'invalid_input',
      remedy: `Give the position as ${flavour === 'MariaDB' ? 'domain-server-sequence entries, e.g. 0-1-100' : 'uuid:interval entries, e.g. 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5'}, or start from a file and position.`,
    },
  );
}

export class MariadbGtidState {
  private readonly domains = new Map<number, { serverId: number; sequence: bigint }>();

  static parse(text: string): MariadbGtidState {
    const state = new MariadbGtidState();
    for (const part of text
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p.length > 0)) {
      const match = /^(\d+)-(\d+)-(\d+)$/.exec(part);
      if (!match) throw invalidGtid(text, 'MariaDB');
      state.domains.set(Number(match[1]), {
        serverId: Number(match[2]),
        sequence: BigInt(match[3]!),
      });
    }
    return state;
  }

  get isEmpty(): boolean {
    return this.domains.size === 0;
  }

  /** Records a transaction's GTID as the latest of its domain. */
  apply(domainId: number, serverId: number, sequence: bigint): void {
    this.domains.set(domainId, { serverId, sequence });
  }

  clone(): MariadbGtidState {
    const copy = new MariadbGtidState();
    for (const [domain, value] of this.domains) copy.domains.set(domain, value);
    return copy;
  }

  toString(): string {
    return [...this.domains.entries()]
      .sort(([a], [b]) => a - b)
      .map(([domain, { serverId, sequence }]) => `${domain}-${serverId}-${sequence}`)
      .join(',');
  }
}

/** A GTID tag (MySQL 8.3+): a letter or underscore, then letters, digits and underscores, 32 at most. */
const TAG = /^[a-z_][a-z0-9_]{0,31}$/i;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * Half-open intervals [start, end) per TSID, kept sorted and merged. A TSID is the server UUID
 * for untagged GTIDs, `uuid:tag` for tagged ones (MySQL 8.3+, "GTID Format and Storage": a tag
 * names a group of transactions of the same server, `uuid:tag:gno`; tags compare lower-cased).
 */
export class MysqlGtidSet {
  private readonly sets = new Map<string, Array<[bigint, bigint]>>();
  /**
   * `toString`'s text while the set is unchanged. Every transaction extends the last interval of
   * one TSID (`add`) and the stream needs the new text each time: `hot` keeps the text before and
   * after that interval, so the new text is three pieces joined, not the whole set printed again.
   */
  private text: string | null = null;
  private hotTsid: string | null = null;
  private hot: { head: string; tail: string } | null = null;

  /**
   * Reads `uuid:interval[:interval]…` entries, where a tag among the intervals applies to the
   * intervals after it (`uuid:1-5:orders:1-3`), as `gtid_executed` prints them.
   */
  static parse(text: string): MysqlGtidSet {
    const set = new MysqlGtidSet();
    for (const part of text
      .replace(/\s+/g, '')
      .split(',')
      .filter((p) => p.length > 0)) {
      const [uuid, ...items] = part.split(':');
      if (!uuid || !UUID.test(uuid) || items.length === 0) throw invalidGtid(text, 'MySQL');
      let tag = '';
      let intervals = 0;
      for (const item of items) {
        if (TAG.test(item)) {
          tag = item.toLowerCase();
          continue;
        }
        const match = /^(\d+)(?:-(\d+))?$/.exec(item);
        if (!match) throw invalidGtid(text, 'MySQL');
        const first = BigInt(match[1]!);
        const last = match[2] === undefined ? first : BigInt(match[2]);
        set.addRange(tsidOf(uuid, tag), first, last + 1n);
        intervals += 1;
      }
      if (intervals === 0) throw invalidGtid(text, 'MySQL');
    }
    return set;
  }

  get isEmpty(): boolean {
    return this.sets.size === 0;
  }

  /** Adds `tsid:gno`, the TSID as the decoder gives it (`uuid` or `uuid:tag`, lower case). */
  add(tsid: string, gno: bigint): void {
    // The common case, the next number of the last interval, extends it in place.
    const intervals = this.sets.get(tsid);
    const last = intervals?.[intervals.length - 1];
    if (last && last[1] === gno) {
      last[1] = gno + 1n;
      if (this.hot && this.hotTsid === tsid) {
        this.text = this.hot.head + formatInterval(last) + this.hot.tail;
      } else {
        this.text = null;
        this.hot = null;
        this.hotTsid = tsid;
      }
      return;
    }
    this.addRange(normalizeTsid(tsid), gno, gno + 1n);
  }

  /** Adds the GTIDs [start, end) of a TSID (`uuid` or `uuid:tag`). */
  addRange(tsid: string, start: bigint, end: bigint): void {
    const key = normalizeTsid(tsid);
    this.text = null;
    this.hot = null;
    this.hotTsid = key;
    const intervals = this.sets.get(key) ?? [];
    intervals.push([start, end]);
    intervals.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const merged: Array<[bigint, bigint]> = [];
    for (const interval of intervals) {
      const last = merged[merged.length - 1];
      if (last && interval[0] <= last[1]) {
        if (interval[1] > last[1]) last[1] = interval[1];
      } else merged.push([interval[0], interval[1]]);
    }
    this.sets.set(key, merged);
  }

  clone(): MysqlGtidSet {
    const copy = new MysqlGtidSet();
    for (const [tsid, intervals] of this.sets)
      copy.sets.set(
        tsid,
        intervals.map(([a, b]) => [a, b]),
      );
    return copy;
  }

  /** TSIDs in MySQL's order: by UUID, the untagged one first, then tags in order. */
  private sortedEntries(): Array<{
    tsid: string;
    uuid: string;
    tag: string;
    intervals: Array<[bigint, bigint]>;
  }> {
    return [...this.sets.entries()]
      .map(([tsid, intervals]) => {
        const [uuid = '', tag = ''] = tsid.split(':');
        return { tsid, uuid, tag, intervals };
      })
      .sort((a, b) =>
        a.uuid !== b.uuid ? (a.uuid < b.uuid ? -1 : 1) : a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0,
      );
  }

  /** `uuid:1-5:tag:1-3,uuid2:7`: one entry per UUID, each tag before its intervals. */
  toString(): string {
    if (this.text !== null) return this.text;
    let text = '';
    let current = '';
    let headEnd = -1;
    let tailStart = -1;
    for (const { tsid, uuid, tag, intervals } of this.sortedEntries()) {
      if (uuid === current) text += ':';
      else text += text === '' ? `${uuid}:` : `,${uuid}:`;
      current = uuid;
      if (tag !== '') text += `${tag}:`;
      for (let i = 0; i < intervals.length; i += 1) {
        if (i > 0) text += ':';
        if (tsid === this.hotTsid && i === intervals.length - 1) headEnd = text.length;
        text += formatInterval(intervals[i]!);
      }
      if (tsid === this.hotTsid) tailStart = text.length;
    }
    this.text = text;
    this.hot =
      headEnd === -1 ? null : { head: text.slice(0, headEnd), tail: text.slice(tailStart) };
    return text;
  }

  /**
   * The set as COM_BINLOG_DUMP_GTID carries it (the PREVIOUS_GTIDS encoding, rpl_gtid_set.cc
   * `Gtid_set::encode`): n_sids 8, then per TSID the 16 UUID bytes, n_intervals 8, and
   * [start, end) as two 8-byte integers each. With a tag in the set, the tagged format: format 1
   * in the top and the bottom byte of the first 8 (n_sids between), and each tag after its UUID
   * (serialization-library length, then the bytes); servers before 8.3 know no tags.
   */
  encode(): Buffer {
    const entries = this.sortedEntries();
    const isTagged = entries.some((entry) => entry.tag !== '');
    const parts: Buffer[] = [];
    const head = Buffer.alloc(8);
    const count = BigInt(entries.length);
    head.writeBigUInt64LE(isTagged ? (1n << 56n) | (count << 8n) | 1n : count);
    parts.push(head);
    for (const { uuid, tag, intervals } of entries) {
      parts.push(Buffer.from(uuid.replace(/-/g, ''), 'hex'));
      if (isTagged) {
        // A tag is at most 32 bytes: its length fits one variable-length byte (length << 1).
        const tagBytes = Buffer.from(tag);
        parts.push(Buffer.from([tagBytes.length << 1]), tagBytes);
      }
      const block = Buffer.alloc(8 + intervals.length * 16);
      block.writeBigUInt64LE(BigInt(intervals.length), 0);
      intervals.forEach(([start, end], i) => {
        block.writeBigInt64LE(start, 8 + i * 16);
        block.writeBigInt64LE(end, 16 + i * 16);
      });
      parts.push(block);
    }
    return Buffer.concat(parts);
  }
}

/** `a` or `a-b` for the half-open interval [a, b + 1). */
function formatInterval([start, end]: [bigint, bigint]): string {
  return end - start === 1n ? `${start}` : `${start}-${end - 1n}`;
}

function tsidOf(uuid: string, tag: string): string {
  return tag === '' ? normalizeUuid(uuid) : `${normalizeUuid(uuid)}:${tag}`;
}

function normalizeTsid(tsid: string): string {
  const colon = tsid.indexOf(':');
  return colon === -1
    ? normalizeUuid(tsid)
    : tsidOf(tsid.slice(0, colon), tsid.slice(colon + 1).toLowerCase());
}

function normalizeUuid(uuid: string): string {
  const hex = uuid.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
