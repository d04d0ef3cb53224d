// A small time-series chart drawn as SVG with no library: a line through the values, a dot per point
// (a point marked `bad` drawn as a red cross on the baseline when it has no value, e.g. a failed
// check), the time along the bottom and the largest value up the side. Its text alternative is a
// sentence (the SVG's accessible name) and the same data as a table under a disclosure, so nothing
// is only seen. Used for a service's health history; written for any series of moments and numbers.
import { useId, type ReactNode } from "react";
import { Table } from "./table";

export interface ChartPoint {
  /** When (an RFC 3339 moment or a Date). */
  at: string | Date;
  /** The number measured then; null when there was none (a check that got no answer). */
  value: number | null;
  /** A word or two about the point, shown in the table (e.g. "unhealthy: timeout"). */
  note?: string;
  /** How the point is drawn: `bad` in red. */
  tone?: "good" | "bad";
}

interface ChartProps {
  /** The chart's caption, e.g. "Response time of the last 50 checks". */
  title: string;
  points: readonly ChartPoint[];
  /** What the values are, for the table's column and the summary, e.g. "Response time". */
  valueLabel: string;
  /** The unit after each value, e.g. "ms". */
  unit: string;
}

const WIDTH = 640;
const HEIGHT = 200;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };

function time(at: string | Date): number {
  return (typeof at === "string" ? new Date(at) : at).getTime();
}

function shortTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** One sentence saying what the chart shows: how many points, over when, the range and the gaps. */
export function chartSummary(points: readonly ChartPoint[], valueLabel: string, unit: string): string {
  if (points.length === 0) return `No ${valueLabel.toLowerCase()} to show yet.`;
  const times = points.map((point) => time(point.at));
  const values = points.map((point) => point.value).filter((value): value is number => value !== null).sort((a, b) => a - b);
  const span = `${points.length} point${points.length === 1 ? "" : "s"} from ${shortTime(Math.min(...times))} to ${shortTime(Math.max(...times))}`;
  const bad = points.filter((point) => point.tone === "bad").length;
  const range =
    values.length === 0
      ? `no ${valueLabel.toLowerCase()} measured`
      : `${valueLabel.toLowerCase()} from ${values[0]} to ${values[values.length - 1]} ${unit}, median ${values[Math.floor((values.length - 1) / 2)]} ${unit}`;
  return `${span}: ${range}${bad ? `; ${bad} marked bad` : ""}.`;
}

export function TimeChart({ title, points, valueLabel, unit }: ChartProps): ReactNode {
  const id = useId();
  const ordered = [...points].sort((a, b) => time(a.at) - time(b.at));
  const summary = chartSummary(ordered, valueLabel, unit);
  const times = ordered.map((point) => time(point.at));
  const first = Math.min(...times);
  const last = Math.max(...times);
  const top = Math.max(1, ...ordered.map((point) => point.value ?? 0));
  const x = (ms: number) => PAD.left + (last === first ? 0.5 : (ms - first) / (last - first)) * (WIDTH - PAD.left - PAD.right);
  const y = (value: number) => HEIGHT - PAD.bottom - (value / top) * (HEIGHT - PAD.top - PAD.bottom);
  const measured = ordered.filter((point) => point.value !== null);
  const line = measured.map((point) => `${x(time(point.at)).toFixed(1)},${y(point.value as number).toFixed(1)}`).join(" ");
  const base = HEIGHT - PAD.bottom;
  return (
    <figure className="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>{title}</figcaption>
      {ordered.length === 0 ? (
        <p className="empty">{summary}</p>
      ) : (
        <>
          <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${title}: ${summary}`} preserveAspectRatio="xMidYMid meet">
            <line className="chart-axis" x1={PAD.left} y1={base} x2={WIDTH - PAD.right} y2={base} />
            <line className="chart-axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={base} />
            <line className="chart-grid" x1={PAD.left} y1={y(top)} x2={WIDTH - PAD.right} y2={y(top)} />
            <text className="chart-label" x={PAD.left - 6} y={y(top) + 4} textAnchor="end">
              {top} {unit}
            </text>
            <text className="chart-label" x={PAD.left - 6} y={base + 4} textAnchor="end">
              0
            </text>
            <text className="chart-label" x={PAD.left} y={HEIGHT - 8} textAnchor="start">
              {shortTime(first)}
            </text>
            {last === first ? null : (
              <text className="chart-label" x={WIDTH - PAD.right} y={HEIGHT - 8} textAnchor="end">
                {shortTime(last)}
              </text>
            )}
            {measured.length > 1 ? <polyline className="chart-line" points={line} /> : null}
            {ordered.map((point, index) => {
              const cx = x(time(point.at));
              if (point.value === null) {
                const cy = base - 6;
                return <path key={index} className="chart-bad" d={`M${cx - 4},${cy - 4}L${cx + 4},${cy + 4}M${cx - 4},${cy + 4}L${cx + 4},${cy - 4}`} />;
              }
              return <circle key={index} className={point.tone === "bad" ? "chart-dot chart-dot-bad" : "chart-dot"} cx={cx} cy={y(point.value)} r={3} />;
            })}
          </svg>
          <details>
            <summary>{title} as a table</summary>
            <Table
              caption={title}
              hiddenCaption
              columns={[
                "When",
                <>
                  {valueLabel} ({unit})
                </>,
                "Note",
              ]}
            >
              {ordered.map((point, index) => (
                <tr key={index}>
                  <td>{new Date(time(point.at)).toLocaleString()}</td>
                  <td>{point.value ?? "—"}</td>
                  <td>{point.note ?? ""}</td>
                </tr>
              ))}
            </Table>
          </details>
        </>
      )}
    </figure>
  );
}
