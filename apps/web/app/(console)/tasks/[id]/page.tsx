import type { Metadata } from 'next';
import { TaskDetailsView } from './task-details';

export const metadata: Metadata = { title: 'Task details · Tidewater' };

export default async function TaskDetailsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <TaskDetailsView taskId={id} />;
}
