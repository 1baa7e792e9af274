/** Progress and proportion bars. */

/** A determinate bar when `total` > 0, an indeterminate (animated) one otherwise. */
export function ProgressBar({ current, total, label }: { current: number; total: number; label: string }) {
  const determinate = total > 0;
  const percent = determinate ? Math.min(100, Math.round((current / total) * 100)) : undefined;
  return (
    <div
      className={`progress${determinate ? '' : ' indeterminate'}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={determinate ? total : undefined}
      aria-valuenow={determinate ? current : undefined}
    >
      {/* scaleX, not width: progress updates many times a second and must not re-lay out the page. */}
      <div
        className="progress-fill"
        style={determinate ? { transform: `scaleX(${(percent ?? 0) / 100})` } : undefined}
      />
    </div>
  );
}

/** A horizontal bar whose length is `value / max`, e.g. a layer's share of the image. */
export function SizeBar({ value, max, label }: { value: number; max: number; label: string }) {
  const percent = max > 0 ? Math.max(value > 0 ? 1 : 0, Math.round((value / max) * 1000) / 10) : 0;
  return (
    <div
      className="sizebar"
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value}
    >
      <div className="sizebar-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}
