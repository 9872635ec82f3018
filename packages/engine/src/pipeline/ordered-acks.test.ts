import { describe, expect, it } from 'vitest';
import { OrderedAcks } from './ordered-acks';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ordered acknowledgements', () => {
  it('acknowledges in send order even when later deliveries finish first', async () => {
    const acked: number[] = [];
    const acks = new OrderedAcks<number>(10, (token) => {
      acked.push(token);
    });
    const first = deferred();
    const second = deferred();
    await acks.push(first.promise, 1);
    await acks.push(second.promise, 2);
    second.resolve();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(acked).toEqual([]);
    first.resolve();
    await acks.drain();
    expect(acked).toEqual([1, 2]);
  });

  it('never acknowledges anything after a failed delivery', async () => {
    const acked: number[] = [];
    const acks = new OrderedAcks<number>(10, (token) => {
      acked.push(token);
    });
    const first = deferred();
    const second = deferred();
    const third = deferred();
    await acks.push(first.promise, 1);
    await acks.push(second.promise, 2);
    await acks.push(third.promise, 3);
    first.resolve();
    third.resolve();
    second.reject(new Error('broker gone'));
    await expect(acks.drain()).rejects.toThrow('broker gone');
    expect(acked).toEqual([1]);
    await expect(acks.push(Promise.resolve(), 4)).rejects.toThrow('broker gone');
  });

  it('lets a waiting reader notice a failed delivery, and retains nothing per wait', async () => {
    const acks = new OrderedAcks<number>(10, () => undefined);
    for (let index = 0; index < 1000; index++) await acks.orFailure(Promise.resolve(index));
    const failing = deferred();
    await acks.push(failing.promise, 1);
    const waiting = acks.orFailure(new Promise(() => undefined));
    failing.reject(new Error('broker gone'));
    await expect(waiting).rejects.toThrow('broker gone');
    await expect(acks.orFailure(Promise.resolve(1))).rejects.toThrow('broker gone');
  });

  it('holds the sender back at the in-flight limit', async () => {
    const acks = new OrderedAcks<number>(2, () => undefined);
    const first = deferred();
    await acks.push(first.promise, 1);
    let isThirdAdmitted = false;
    const pushing = acks.push(new Promise(() => undefined), 2).then(() => {
      isThirdAdmitted = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(isThirdAdmitted).toBe(false);
    first.resolve();
    await pushing;
    expect(isThirdAdmitted).toBe(true);
  });

  it('holds the sender back while the rows in flight are over the row limit', async () => {
    const acks = new OrderedAcks<number>(8, () => undefined, 100);
    const first = deferred();
    await acks.push(first.promise, 1, 60);
    let isSecondAdmitted = false;
    const pushing = acks.push(new Promise(() => undefined), 2, 60).then(() => {
      isSecondAdmitted = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(isSecondAdmitted).toBe(false);
    first.resolve();
    await pushing;
    expect(isSecondAdmitted).toBe(true);
  });

  it('sends a delivery larger than the row limit when nothing else is in flight', async () => {
    const acks = new OrderedAcks<number>(8, () => undefined, 100);
    let isAdmitted = false;
    await acks.push(new Promise(() => undefined), 1, 500).then(() => {
      isAdmitted = true;
    });
    expect(isAdmitted).toBe(true);
  });
});
