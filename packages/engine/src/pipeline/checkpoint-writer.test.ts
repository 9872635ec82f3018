import { describe, expect, it } from 'vitest';
import { CheckpointWriter } from './checkpoint-writer';

/** A write function whose calls wait until the test settles them, recording what they wrote. */
function heldWrites() {
  let recorded: number | null = null;
  const written: number[] = [];
  const calls: Array<{ resolve(): void; reject(error: Error): void }> = [];
  const write = () => {
    if (recorded === null) return Promise.resolve();
    const value = recorded;
    recorded = null;
    return new Promise<void>((resolve, reject) => {
      calls.push({
        resolve: () => {
          written.push(value);
          resolve();
        },
        reject,
      });
    });
  };
  return {
    write,
    record(value: number) {
      recorded = value;
    },
    written,
    calls,
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('CheckpointWriter', () => {
  it('runs one write at a time and coalesces what was acknowledged meanwhile', async () => {
    const writes = heldWrites();
    const writer = new CheckpointWriter(writes.write, 0);
    writes.record(1);
    writer.request();
    writes.record(2);
    writer.request();
    writes.record(3);
    writer.request();
    expect(writes.calls).toHaveLength(1);
    writes.calls[0]!.resolve();
    await tick();
    // The next write takes the latest recorded value, once.
    expect(writes.calls).toHaveLength(2);
    writes.calls[1]!.resolve();
    await writer.flush();
    expect(writes.written).toEqual([1, 3]);
  });

  it('waits for the interval unless forced', async () => {
    const writes = heldWrites();
    const writer = new CheckpointWriter(writes.write, 60_000);
    writes.record(1);
    writer.request();
    writes.calls[0]!.resolve();
    await tick();
    writes.record(2);
    writer.request();
    expect(writes.calls).toHaveLength(1);
    writer.request(true);
    expect(writes.calls).toHaveLength(2);
    writes.calls[1]!.resolve();
    await tick();
    expect(writes.written).toEqual([1, 2]);
  });

  it('writes what is left on flush, after the running write', async () => {
    const writes = heldWrites();
    const writer = new CheckpointWriter(writes.write, 60_000);
    writes.record(1);
    writer.request();
    writes.record(2);
    writer.request();
    const flushed = writer.flush();
    writes.calls[0]!.resolve();
    await tick();
    writes.calls[1]!.resolve();
    await flushed;
    expect(writes.written).toEqual([1, 2]);
  });

  it('throws a failed write from the next request and from flush', async () => {
    const writes = heldWrites();
    const writer = new CheckpointWriter(writes.write, 0);
    writes.record(1);
    writer.request();
    writes.calls[0]!.reject(new Error('control database gone'));
    await tick();
    writes.record(2);
    expect(() => writer.request()).toThrow('control database gone');
    await expect(writer.flush()).rejects.toThrow('control database gone');
    expect(writes.calls).toHaveLength(1);
  });
});
