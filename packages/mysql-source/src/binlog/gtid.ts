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

/** Half-open intervals [start, end) per server UUID, kept sorted and merged. */
export class MysqlGtidSet {
  private readonly sets = new Map<string, Array<[bigint, bigint]>>();

  static parse(text: string): MysqlGtidSet {
    const set = new MysqlGtidSet();
    for (const part of text
      .replace(/\s+/g, '')
      .split(',')
      .filter((p) => p.length > 0)) {
      const [uuid, ...intervals] = part.split(':');
      if (
        !uuid ||
        !/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(uuid) ||
        intervals.length === 0
      ) {
        throw invalidGtid(text, 'MySQL');
      }
      for (const interval of intervals) {
        const match = /^(\d+)(?:-(\d+))?$/.exec(interval);
        if (!match) throw invalidGtid(text, 'MySQL');
        const first = BigInt(match[1]!);
        const last = match[2] === undefined ? first : BigInt(match[2]);
        set.addInterval(normalizeUuid(uuid), first, last + 1n);
      }
    }
    return set;
  }

  get isEmpty(): boolean {
    return this.sets.size === 0;
  }

  /** Adds `uuid:gno`. */
  add(uuid: string, gno: bigint): void {
    // The common case, the next number of the last interval, extends it in place.
    const intervals = this.sets.get(uuid);
    const last = intervals?.[intervals.length - 1];
    if (last && last[1] === gno) {
      last[1] = gno + 1n;
      return;
    }
    this.addInterval(normalizeUuid(uuid), gno, gno + 1n);
  }

  private addInterval(uuid: string, start: bigint, end: bigint): void {
    const intervals = this.sets.get(uuid) ?? [];
    intervals.push([start, end]);
    intervals.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const merged: Array<[bigint, bigint]> = [];
    for (const interval of intervals) {
      const last = merged[merged.length - 1];
      if (last && interval[0] <= last[1]) {
        if (interval[1] > last[1]) last[1] = interval[1];
      } else merged.push([interval[0], interval[1]]);
    }
    this.sets.set(uuid, merged);
  }

  clone(): MysqlGtidSet {
    const copy = new MysqlGtidSet();
    for (const [uuid, intervals] of this.sets)
      copy.sets.set(
        uuid,
        intervals.map(([a, b]) => [a, b]),
      );
    return copy;
  }

  toString(): string {
    return [...this.sets.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(
        ([uuid, intervals]) =>
          `${uuid}:${intervals.map(([a, b]) => (b - a === 1n ? `${a}` : `${a}-${b - 1n}`)).join(':')}`,
      )
      .join(',');
  }

  /**
   * The set as COM_BINLOG_DUMP_GTID carries it (the PREVIOUS_GTIDS encoding): n_sids 8, then per
   * sid the 16 UUID bytes, n_intervals 8, and [start, end) as two 8-byte integers each.
   */
  encode(): Buffer {
    const entries = [...this.sets.entries()];
    const size = 8 + entries.reduce((sum, [, intervals]) => sum + 24 + intervals.length * 16, 0);
    const out = Buffer.alloc(size);
    out.writeBigUInt64LE(BigInt(entries.length), 0);
    let p = 8;
    for (const [uuid, intervals] of entries) {
      Buffer.from(uuid.replace(/-/g, ''), 'hex').copy(out, p);
      out.writeBigUInt64LE(BigInt(intervals.length), p + 16);
      p += 24;
      for (const [start, end] of intervals) {
        out.writeBigInt64LE(start, p);
        out.writeBigInt64LE(end, p + 8);
        p += 16;
      }
    }
    return out;
  }
}

function normalizeUuid(uuid: string): string {
  const hex = uuid.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
