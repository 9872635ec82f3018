/** A skeleton while data loads, announced to screen readers by its label. */
export function LoadingCard({ label, rows = 3 }: { label: string; rows?: number }) {
  return (
    <div className="card" aria-busy="true" role="status">
      {Array.from({ length: rows }, (_, index) => (
        <div key={index} className="skeleton" style={{ width: `${90 - index * 12}%` }} />
      ))}
      <span className="visually-hidden">{label}</span>
    </div>
  );
}
