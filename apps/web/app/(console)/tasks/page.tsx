import type { Metadata } from 'next';
import { TaskList } from './task-list';

export const metadata: Metadata = { title: 'Data Migration · Tidewater' };

export default function TasksPage() {
  return (
    <>
      <header className="page-header">
        <h1>Data Migration</h1>
        <p className="muted">Tasks copying MySQL-compatible databases into Apache Kafka.</p>
      </header>
      <TaskList />
    </>
  );
}
