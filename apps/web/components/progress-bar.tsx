/** A labelled progress bar (role=progressbar) with its percentage beside it. */
export function ProgressBar({ percent, label }: { percent: number; label: string }) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div className="progress">
      <div
        className={`progress-bar${value === 100 ? ' is-done' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
      >
        <span style={{ width: `${value}%` }} />
      </div>
      <span className="progress-label" data-percent={value}>
        {value}%
      </span>
    </div>
  );
}
