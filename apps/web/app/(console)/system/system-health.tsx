'use client';

import { useQuery } from '@tanstack/react-query';
import type { ServiceHealth } from '@tidewater/engine';
import { apiFetch } from '@/lib/api-client';

export function SystemHealth() {
  const query = useQuery({
    queryKey: ['system-health'],
    queryFn: () =>
      apiFetch<{ isHealthy: boolean; services: ServiceHealth[] }>('/api/system/health'),
    refetchInterval: 5_000,
  });
  if (query.isPending) {
    return (
      <div className="card" aria-busy="true">
        <div className="skeleton" />
        <span className="visually-hidden">Probing services…</span>
      </div>
    );
  }
  if (query.isError) {
    return (
      <div className="card error" role="alert">
        The health check could not run: {query.error.message}
      </div>
    );
  }
  return (
    <div className="card">
      <table className="table" aria-label="Services">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">State</th>
            <th scope="col">Endpoint</th>
            <th scope="col">Detail</th>
            <th scope="col">Latency</th>
          </tr>
        </thead>
        <tbody>
          {query.data.services.map((service) => (
            <tr key={service.name} data-service={service.name}>
              <td>{service.name}</td>
              <td>
                <span
                  className={`badge ${service.isUp ? 'badge-up' : 'badge-down'}`}
                  data-up={service.isUp}
                >
                  {service.isUp ? 'Up' : 'Down'}
                </span>
              </td>
              <td>
                <code>{service.endpoint}</code>
              </td>
              <td>{service.detail}</td>
              <td>{service.latencyMs} ms</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
