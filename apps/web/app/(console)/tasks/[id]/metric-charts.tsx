'use client';

import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { MetricSampleView } from '@tidewater/db';
import { formatLatency, formatRate } from '@/lib/format';

/** Records/s and latency over the last hour, from the task's metric samples. */
export function MetricCharts({
  samples,
  hasIncremental,
}: {
  samples: MetricSampleView[];
  hasIncremental: boolean;
}) {
  const data = samples.map((sample) => ({
    time: new Date(sample.at).getTime(),
    recordsPerSecond: sample.recordsPerSecond,
    latencySeconds: sample.latencyMs === null ? null : sample.latencyMs / 1000,
  }));
  const latest = samples.at(-1);
  const timeTick = (value: number) =>
    new Date(value).toLocaleTimeString('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  return (
    <div className="chart-grid">
      <figure className="card" style={{ margin: 0 }}>
        <figcaption className="section-title">Records per second</figcaption>
        {data.length === 0 ? (
          <p className="empty-inline">No samples yet: the chart fills once the task runs.</p>
        ) : (
          <div
            className="chart-box"
            role="img"
            aria-label={`Records per second over the last hour; latest ${formatRate(latest?.recordsPerSecond)}.`}
          >
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e3e8ee" />
                <XAxis
                  dataKey="time"
                  type="number"
                  domain={['dataMin', 'dataMax']}
                  scale="time"
                  tickFormatter={timeTick}
                  minTickGap={40}
                />
                <YAxis width={60} />
                <Tooltip labelFormatter={(value) => timeTick(Number(value))} />
                <Line
                  type="monotone"
                  dataKey="recordsPerSecond"
                  name="records/s"
                  stroke="#0b5fc0"
                  dot={false}
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
          </div>
        )}
      </figure>
      <figure className="card" style={{ margin: 0 }}>
        <figcaption className="section-title">Latency (incremental migration)</figcaption>
        {!hasIncremental ? (
          <p className="empty-inline">
            Incremental migration is not one of this task&apos;s stages.
          </p>
        ) : data.every((point) => point.latencySeconds === null) ? (
          <p className="empty-inline">
            No latency yet: it is measured once incremental migration runs.
          </p>
        ) : (
          <div
            className="chart-box"
            role="img"
            aria-label={`Latency over the last hour; latest ${formatLatency(latest?.latencyMs)}.`}
          >
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e3e8ee" />
                <XAxis
                  dataKey="time"
                  type="number"
                  domain={['dataMin', 'dataMax']}
                  scale="time"
                  tickFormatter={timeTick}
                  minTickGap={40}
                />
                <YAxis width={60} unit=" s" />
                <Tooltip labelFormatter={(value) => timeTick(Number(value))} />
                <Line
                  type="monotone"
                  dataKey="latencySeconds"
                  name="latency (s)"
                  stroke="#ad6a00"
                  dot={false}
                  connectNulls
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
          </div>
        )}
      </figure>
    </div>
  );
}
