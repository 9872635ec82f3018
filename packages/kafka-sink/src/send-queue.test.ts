import { describe, expect, it } from 'vitest';
import type { QueuedMessage } from './send-queue';
import { OrderedSendQueue, recordBytes } from './send-queue';

const message = (partition: number, size = 10, topic = 't'): QueuedMessage => ({
  topic,
  partition,
  key: null,
  value: Buffer.alloc(size),
  size: recordBytes(null, Buffer.alloc(size)),
});

/** A broker stand-in that records requests and acknowledges when told to. */
function recorder() {
  const requests: QueuedMessage[][] = [];
  const acks: Array<{ resolve(): void; reject(e: unknown): void }> = [];
  const send = (messages: readonly QueuedMessage[]) => {
    requests.push([...messages]);
    return new Promise<void>((resolve, reject) => acks.push({ resolve, reject }));
  };
  return { requests, acks, send };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const limits = { maxBatchBytes: () => 1_000, maxRequestBytes: 10_000, maxPendingBytes: 100_000 };

describe('OrderedSendQueue', () => {
  it('sends one request at a time and gathers waiting deliveries into the next', async () => {
    const broker = recorder();
    const queue = new OrderedSendQueue(broker.send, limits);
    const settled: string[] = [];
    const a = queue.push([message(0)]).then(() => settled.push('a'));
    await flush();
    const b = queue.push([message(1)]).then(() => settled.push('b'));
    const c = queue.push([message(0)]).then(() => settled.push('c'));
    await flush();
    expect(broker.requests).toHaveLength(1);
    broker.acks[0]!.resolve();
    await a;
    await flush();
    expect(broker.requests).toHaveLength(2);
    expect(broker.requests[1]).toHaveLength(2);
    broker.acks[1]!.resolve();
    await Promise.all([b, c]);
    expect(settled).toEqual(['a', 'b', 'c']);
  });

  it('settles an empty delivery only after the deliveries before it', async () => {
    const broker = recorder();
    const queue = new OrderedSendQueue(broker.send, limits);
    const settled: string[] = [];
    const a = queue.push([message(0)]).then(() => settled.push('a'));
    const empty = queue.push([]).then(() => settled.push('empty'));
    await flush();
    expect(settled).toEqual([]);
    broker.acks[0]!.resolve();
    await Promise.all([a, empty]);
    expect(settled).toEqual(['a', 'empty']);
  });

  it("caps a partition's bytes per request and keeps later messages behind", async () => {
    const broker = recorder();
    const queue = new OrderedSendQueue(broker.send, { ...limits, maxBatchBytes: () => 200 });
    const size = 100 - message(0, 0).size;
    const done = queue.push([
      message(0, size),
      message(1, size),
      message(0, size),
      message(0, size),
    ]);
    await flush();
    // Partition 0 takes two 100-byte records, then the third must wait for the next request.
    expect(broker.requests[0]!.map((m) => m.partition)).toEqual([0, 1, 0]);
    broker.acks[0]!.resolve();
    await flush();
    expect(broker.requests[1]!.map((m) => m.partition)).toEqual([0]);
    broker.acks[1]!.resolve();
    await done;
  });

  it('fails the delivery in flight and every later one, and sends nothing more', async () => {
    const broker = recorder();
    const queue = new OrderedSendQueue(
      broker.send,
      limits,
      (error) => new Error(`wrapped ${String(error)}`),
    );
    const a = queue.push([message(0)]);
    await flush();
    const b = queue.push([message(0)]);
    broker.acks[0]!.reject('boom');
    await expect(a).rejects.toThrow('wrapped boom');
    await expect(b).rejects.toThrow('wrapped boom');
    await expect(queue.push([message(0)])).rejects.toThrow('wrapped boom');
    expect(broker.requests).toHaveLength(1);
  });

  it('makes a delivery wait for room, in call order, and lets a failure end the wait', async () => {
    const broker = recorder();
    const size = 500;
    const queue = new OrderedSendQueue(broker.send, { ...limits, maxPendingBytes: 1_000 });
    const first = queue.push([message(0, size)]);
    const second = queue.push([message(0, size)]);
    const third = queue.push([message(0, 10)]);
    await flush();
    expect(broker.requests).toHaveLength(1);
    broker.acks[0]!.resolve();
    await first;
    await flush();
    broker.acks[1]!.resolve();
    await second;
    await flush();
    // The small third delivery did not overtake the second while it waited.
    expect(broker.requests.map((r) => r.map((m) => m.value.length))).toEqual([
      [size],
      [size],
      [10],
    ]);
    const fourth = queue.push([message(0, 2_000)]);
    const fifth = queue.push([message(0, 10)]);
    queue.fail(new Error('closed'));
    await expect(third).rejects.toThrow('closed');
    await expect(fourth).rejects.toThrow('closed');
    await expect(fifth).rejects.toThrow('closed');
  });

  it('reports drained when nothing is pending', async () => {
    const broker = recorder();
    const queue = new OrderedSendQueue(broker.send, limits);
    await queue.drained();
    const a = queue.push([message(0)]);
    let isDrained = false;
    const drained = queue.drained().then(() => (isDrained = true));
    await flush();
    expect(isDrained).toBe(false);
    broker.acks[0]!.resolve();
    await Promise.all([a, drained]);
    expect(isDrained).toBe(true);
  });
});
