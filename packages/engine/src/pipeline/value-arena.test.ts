import { describe, expect, it } from 'vitest';
import { ValueArena } from './value-arena';

const bytesOf = (seed: number, length: number): Buffer => {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = (seed * 31 + i * 7) & 0xff;
  return out;
};

describe('ValueArena', () => {
  it('copies values one after the other into one slab', () => {
    const arena = new ValueArena({ slabBytes: 1024 });
    const a = arena.copy(bytesOf(1, 100));
    const b = arena.copy(bytesOf(2, 50));
    expect(a.equals(bytesOf(1, 100))).toBe(true);
    expect(b.equals(bytesOf(2, 50))).toBe(true);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + 100);
  });

  it('gives a value over a quarter slab a Buffer of its own', () => {
    const arena = new ValueArena({ slabBytes: 1024 });
    const small = arena.copy(bytesOf(1, 10));
    const large = arena.copy(bytesOf(2, 300));
    expect(large.buffer).not.toBe(small.buffer);
    expect(large.equals(bytesOf(2, 300))).toBe(true);
  });

  it('reuses slabs once their deliveries are done, so steady traffic needs no new memory', () => {
    const arena = new ValueArena({ slabBytes: 1024 });
    const buffers = new Set<ArrayBufferLike>();
    const pending: object[] = [];
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 10; i++) buffers.add(arena.copy(bytesOf(round + i, 60)).buffer);
      pending.push(arena.seal());
      // Three deliveries in flight, acknowledged in order.
      if (pending.length > 3) arena.done(pending.shift()!);
    }
    // 600 bytes a delivery, four deliveries at most between acknowledgements: a handful of
    // 1 KiB slabs, not one per 1 KiB of the 120 KB copied.
    expect(buffers.size).toBeLessThanOrEqual(5);
  });

  it('never overwrites a value before its delivery and every earlier one are done, whatever order they finish in', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const arena = new ValueArena({ slabBytes: 512, maxFreeBytes: 2048 });
    type Sent = {
      ticket: object;
      values: Array<{ view: Buffer; expected: Buffer }>;
      isDone: boolean;
    };
    const inFlight: Sent[] = [];
    let serial = 0;
    for (let step = 0; step < 5_000; step++) {
      if (inFlight.length < 6 && random() < 0.55) {
        const values = Array.from({ length: Math.floor(random() * 6) }, () => {
          const expected = bytesOf((serial += 1), 1 + Math.floor(random() * 180));
          return { view: arena.copy(expected), expected };
        });
        inFlight.push({ ticket: arena.seal(), values, isDone: false });
      } else if (inFlight.length > 0) {
        const pick = inFlight[Math.floor(random() * inFlight.length)]!;
        pick.isDone = true;
        arena.done(pick.ticket);
        // Retired: done, with every earlier delivery done. Their values may be reused now.
        while (inFlight.length > 0 && inFlight[0]!.isDone) inFlight.shift();
      }
      for (const sent of inFlight) {
        for (const { view, expected } of sent.values) expect(view.equals(expected)).toBe(true);
      }
    }
  });

  it('keeps no more than two free slabs once nothing is in flight', () => {
    const arena = new ValueArena({ slabBytes: 1024, maxFreeBytes: 64 * 1024 });
    const tickets: object[] = [];
    for (let i = 0; i < 40; i++) {
      arena.copy(bytesOf(i, 200));
      arena.copy(bytesOf(i + 1, 200));
      arena.copy(bytesOf(i + 2, 200));
      tickets.push(arena.seal());
    }
    expect(arena.slabs.inUse).toBeGreaterThan(20);
    for (const ticket of tickets.slice(0, 20)) arena.done(ticket);
    expect(arena.slabs.free).toBeGreaterThan(2);
    for (const ticket of tickets.slice(20)) arena.done(ticket);
    expect(arena.slabs).toEqual({ inUse: 1, free: 2 });
  });

  it('stops reusing after a failed delivery: values handed out keep their bytes', () => {
    const arena = new ValueArena({ slabBytes: 1024 });
    const first = arena.copy(bytesOf(1, 100));
    const failed = arena.seal();
    arena.abandon();
    arena.done(failed);
    const later = Array.from({ length: 50 }, (_, i) => arena.copy(bytesOf(i + 2, 100)));
    expect(first.equals(bytesOf(1, 100))).toBe(true);
    expect(later.every((value, i) => value.equals(bytesOf(i + 2, 100)))).toBe(true);
    expect(new Set(later.map((value) => value.buffer)).has(first.buffer)).toBe(false);
  });
});
