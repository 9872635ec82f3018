import type { Metadata } from 'next';
import Link from 'next/link';
import { TaskList } from './task-list';

export const metadata: Metadata = { title: 'Data Migration · Tidewater' };

export default function TasksPage() {
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Data Migration</h1>
          <p className="muted">Tasks copying MySQL-compatible databases into Apache Kafka.</p>
        </div>
        <Link className="button button-primary" href="/tasks/new">
          Create Task
        </Link>
      </header>
      <TaskList />
    </>
  );
}
