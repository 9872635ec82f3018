import type { Metadata } from 'next';
import { SystemHealth } from './system-health';

export const metadata: Metadata = { title: 'System · Tidewater' };

export default function SystemPage() {
  return (
    <>
      <header className="page-header">
        <h1>System</h1>
        <p className="muted">The services Tidewater depends on, probed live.</p>
      </header>
      <SystemHealth />
    </>
  );
}
