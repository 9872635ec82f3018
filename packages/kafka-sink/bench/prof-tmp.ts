import { stackEndpoints } from '@tidewater/stack';
import { measureSink } from './sink-bench';
for (const kb of [64, 128, 256, 512, 1024]) {
  const r = [];
  for (let i = 0; i < 2; i++)
    r.push(
      await measureSink(stackEndpoints, {
        format: 'canal-json',
        messages: 150000,
        compression: 'none',
        limits: { maxBatchBytes: kb * 1024 },
      }),
    );
  console.log(kb, 'KiB', r.map((x) => Math.round(x.messagesPerSecond)).join(' '));
}
