// Job figures as the dashboards show them (the caller's own, and the platform's for admins): the jobs by
// status, the success rate, turnaround and queue times at the median and the slow end, and a chart of
// the jobs that ended day by day.
import type { ReactNode } from "react";
import type { components } from "../api/schema";
import { TimeChart, type ChartPoint } from "./chart";
import { Table } from "./table";

type JobFigures = components["schemas"]["JobFigures"];
type Percentiles = components["schemas"]["Percentiles"];

/** A number of seconds as a person reads a duration: "42 s", "3.5 min", "2.1 h", "1.5 days". */
export function duration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 36 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

/** A percentage (0 to 100) with one decimal, or a dash when there is none. */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${value.toFixed(1)}%`;
}

/** "p50 3.5 min, p95 12.0 min (of 14)", or what there is to say when there are none. */
function spread(values: Percentiles, format: (value: number | null) => string): string {
  if (values.count === 0) return "none yet";
  return `median ${format(values.p50)}, 95th percentile ${format(values.p95)} (of ${values.count})`;
}

/** The statuses of a set of jobs, in the order a job goes through them. */
const STATUSES = ["pending", "submitted", "queued", "running", "completed", "failed", "cancelled"] as const;

export function StatusCounts({ byStatus, caption }: { byStatus: Partial<Record<string, number>>; caption: string }): ReactNode {
  return (
    <Table caption={caption} columns={STATUSES} className="counts" testId="by-status">
      <tr>
        {STATUSES.map((status) => (
          <td key={status} data-status={status}>
            {byStatus[status] ?? 0}
          </td>
        ))}
      </tr>
    </Table>
  );
}

/** The figures of a set of jobs: totals, rates and times, by status, and the days' chart. */
export function JobFiguresView({ figures, whose }: { figures: JobFigures; whose: string }): ReactNode {
  const days = figures.series.map(
    (day): ChartPoint => ({
      at: `${day.day}T12:00:00Z`,
      value: day.completed,
      note: `${day.completed} completed, ${day.failed} failed, ${day.cancelled} cancelled`,
      ...(day.failed > 0 ? { tone: "bad" as const } : {}),
    }),
  );
  const failed = figures.series.map((day): ChartPoint => ({ at: `${day.day}T12:00:00Z`, value: day.failed + day.cancelled, note: `${day.failed} failed, ${day.cancelled} cancelled` }));
  return (
    <>
      <dl className="facts" data-testid="job-figures">
        <dt>Jobs</dt>
        <dd data-testid="jobs-total">{figures.total}</dd>
        <dt>Success rate</dt>
        <dd data-testid="success-rate">{figures.success_rate === null ? "— (no job has completed or failed)" : percent(figures.success_rate * 100)}</dd>
        <dt>Turnaround</dt>
        <dd data-testid="turnaround">{spread(figures.turnaround_seconds, duration)}</dd>
        <dt>Time queued</dt>
        <dd data-testid="queue-time">{spread(figures.queue_seconds, duration)}</dd>
      </dl>
      <p className="muted">
        Success rate: completed over completed and failed. Times are of the jobs of the last {figures.window_days} days (from
        submission to completion, and from submission to the service to running).
      </p>
      <StatusCounts byStatus={figures.by_status} caption={`${whose} jobs by status now`} />
      <TimeChart title={`Jobs completed per day, the last ${figures.window_days} days`} points={days} valueLabel="Jobs completed" unit="jobs" />
      <TimeChart title={`Jobs failed or cancelled per day, the last ${figures.window_days} days`} points={failed} valueLabel="Jobs failed or cancelled" unit="jobs" />
    </>
  );
}
