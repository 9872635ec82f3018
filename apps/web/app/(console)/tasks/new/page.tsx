import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense } from 'react';
import { LoadingCard } from '@/components/loading';
import { TaskWizard } from './task-wizard';

export const metadata: Metadata = { title: 'Create Task · Tidewater' };

export default function NewTaskPage() {
  return (
    <>
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link href="/tasks">Data Migration</Link> / Create Task
          </p>
          <h1>Create Task</h1>
        </div>
      </header>
      <Suspense fallback={<LoadingCard label="Loading the wizard…" rows={6} />}>
        <TaskWizard />
      </Suspense>
    </>
  );
}
