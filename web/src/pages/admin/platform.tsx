// The platform's dashboard, for admins (#/admin/platform): every job's figures, by service and by the
// busiest users; each service's uptime and response times hour by hour; and the services unhealthy so
// long that the registry will deactivate them soon, with when.
import type { ReactNode } from "react";
import { api, dataOf } from "../../api/client";
import type { components } from "../../api/schema";
import type { ChartPoint } from "../../components/chart";
import { TimeChart } from "../../components/chart";
import { JobFiguresView, percent } from "../../components/figures";
import { when } from "../../components/format";
import { Page } from "../../components/page";
import { Empty, Loaded, useLoad } from "../../components/states";
import { Table } from "../../components/table";
import { href } from "../../router";

type ServiceView = components["schemas"]["ServiceView"];
type Counts = Pick<components["schemas"]["ServiceJobCounts"], "by_status" | "total">;

const TOP_USERS = 20;

export function PlatformPage(): ReactNode {
  const [figures] = useLoad(() => dataOf(api.GET("/dashboard/platform", { params: { query: { days: 30, users: TOP_USERS } } })), []);
  const [services] = useLoad(() => dataOf(api.GET("/dashboard/services", { params: { query: { hours: 24 } } })), []);
  const [atRisk] = useLoad(() => dataOf(api.GET("/dashboard/services/at-risk")), []);
  return (
    <Page title="Platform dashboard">
      <section aria-labelledby="at-risk-title">
        <h2 id="at-risk-title">Services at risk of deactivation</h2>
        <Loaded load={atRisk} what="the services at risk">
          {({ services: risky }) =>
            risky.length === 0 ? (
              <Empty>No service is at risk: none has been unhealthy long enough to be deactivated soon.</Empty>
            ) : (
              <ul className="at-risk" data-testid="at-risk">
                {risky.map((service) => (
                  <li key={service.service_id}>
                    <a href={href(`services/${service.service_id}`)}>{service.name ?? service.slug ?? service.service_id}</a>: unhealthy since{" "}
                    {when(service.unhealthy_since)}, deactivated at {when(service.deactivates_at)} unless it recovers.
                  </li>
                ))}
              </ul>
            )
          }
        </Loaded>
      </section>
      <section aria-labelledby="jobs-title">
        <h2 id="jobs-title">Jobs</h2>
        <Loaded load={figures} what="the platform's figures">
          {(platform) =>
            platform.total === 0 ? (
              <Empty>No job has been submitted yet.</Empty>
            ) : (
              <>
                <JobFiguresView figures={platform} whose="The platform's" />
                <CountsTable
                  caption="Jobs by service"
                  head="Service"
                  rows={platform.by_service.map((row) => [row.service_id, <a href={href(`services/${row.service_id}`)}>{row.service_name ?? row.service_id}</a>, row])}
                />
                <CountsTable
                  caption={`The busiest users (${platform.by_user.length} of ${platform.users_total} with jobs)`}
                  head="User"
                  rows={platform.by_user.map((row) => [row.user_id, <a href={href(`admin/users/${row.user_id}`)}>{row.user_id}</a>, row])}
                />
              </>
            )
          }
        </Loaded>
      </section>
      <section aria-labelledby="services-title">
        <h2 id="services-title">Services</h2>
        <Loaded load={services} what="the services' health">
          {(board) =>
            board.services.length === 0 ? (
              <Empty>No service is registered yet.</Empty>
            ) : (
              <>
                <Table
                  caption={<>Uptime (share of checks that found it healthy) and response times of the last {board.window_hours} hours</>}
                  columns={["Service", "Now", "Uptime 24 h", "7 days", "30 days", "Response time"]}
                  className="uptime"
                  testId="uptime"
                >
                  {board.services.map((service) => (
                    <tr key={service.service_id} data-service={service.service_id}>
                      <th scope="row">
                        <a href={href(`services/${service.service_id}`)}>{serviceName(service)}</a>
                        {service.active ? "" : " (deactivated)"}
                      </th>
                      <td>
                        <span className={`badge badge-${service.status}`}>{service.status}</span>
                      </td>
                      <td>{percent(service.uptime.last_24h)}</td>
                      <td>{percent(service.uptime.last_7d)}</td>
                      <td>{percent(service.uptime.last_30d)}</td>
                      <td>
                        {service.response_time_ms.count === 0
                          ? "—"
                          : `median ${milliseconds(service.response_time_ms.p50)}, 95th percentile ${milliseconds(service.response_time_ms.p95)}`}
                      </td>
                    </tr>
                  ))}
                </Table>
                {board.services.map((service) => (
                  <TimeChart
                    key={service.service_id}
                    title={`${serviceName(service)}: median response time hour by hour`}
                    points={hourly(service)}
                    valueLabel="Median response time"
                    unit="ms"
                  />
                ))}
              </>
            )
          }
        </Loaded>
      </section>
    </Page>
  );
}

function serviceName(service: ServiceView): string {
  return service.name ?? service.slug ?? service.service_id;
}

function milliseconds(value: number | null): string {
  return value === null ? "—" : `${Math.round(value)} ms`;
}

/** A service's hours as chart points: the median response time, an hour with unhealthy checks marked bad. */
function hourly(service: ServiceView): ChartPoint[] {
  return service.series
    .filter((hour) => hour.checks > 0)
    .map((hour) => ({
      at: hour.hour,
      value: hour.p50_ms === null ? null : Math.round(hour.p50_ms),
      note: `${hour.checks} checks, ${percent(hour.uptime)} healthy${hour.p95_ms === null ? "" : `, 95th percentile ${Math.round(hour.p95_ms)} ms`}`,
      ...(hour.uptime !== null && hour.uptime < 100 ? { tone: "bad" as const } : {}),
    }));
}

/** Jobs by status for each service or user: its name (a link) and its counts. */
function CountsTable({ caption, head, rows }: { caption: string; head: string; rows: [string, ReactNode, Counts][] }): ReactNode {
  const statuses = ["running", "completed", "failed", "cancelled"] as const;
  return rows.length === 0 ? null : (
    <Table caption={caption} columns={[head, "Jobs", ...statuses]} className="counts">
      {rows.map(([key, name, counts]) => (
        <tr key={key}>
          <th scope="row">{name}</th>
          <td>{counts.total}</td>
          {statuses.map((status) => (
            <td key={status}>{counts.by_status[status] ?? 0}</td>
          ))}
        </tr>
      ))}
    </Table>
  );
}
