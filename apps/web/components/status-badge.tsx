import { taskStatusLabels, type TaskStatus } from '@tidewater/config';

export function StatusBadge({ status }: { status: TaskStatus }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {taskStatusLabels[status]}
    </span>
  );
}
