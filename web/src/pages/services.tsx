// Services at a glance: every registered imputation service with its health, uptime, response time,
// queue and location, each linking to its own page; admins register new ones from here.
import type { ReactNode } from "react";
import { api, dataOf } from "../api/client";
import type { components } from "../api/schema";
import { Empty, Loaded, ProblemMessage, useLoad } from "../components/states";
import { Table } from "../components/table";
import { Page } from "../components/page";
import { href } from "../router";
import { useRoles } from "../roles";

type Service = components["schemas"]["ImputationService"];
type Health = components["schemas"]["ServiceHealthReport"];

export function ServicesPage(): ReactNode {
  const roles = useRoles();
  const [services] = useLoad(() => dataOf(api.GET("/services", { params: { query: { limit: 500 } } })), []);
  const [health] = useLoad(() => dataOf(api.GET("/service-health")), []);
  const reportOf = (id: string): Health | undefined =>
    health.state === "loaded" ? health.data.services.find((report) => report.service_id === id) : undefined;
  return (
    <Page
      title="Services"
      actions={
        roles.admin ? (
          <a className="button" href={href("admin/services/new")}>
            Register a service
          </a>
        ) : null
      }
    >
      <Loaded load={services} what="services">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No imputation service is registered yet.</Empty>
          ) : (
            <Table caption="Imputation services and their health" hiddenCaption columns={["Service", "Kind", "Location", "Builds", "Health", "Uptime (7 days)", "Queue"]}>
              {page.items.map((service) => (
                <tr key={service.id}>
                  <th scope="row">
                    <a href={href(`services/${service.id}`)}>{service.name}</a>
                    {service.is_active ? null : <span className="muted"> (inactive)</span>}
                  </th>
                  <td>{kindOf(service)}</td>
                  <td>{placeOf(service)}</td>
                  <td>{service.supported_builds.join(", ")}</td>
                  <td>
                    <HealthBadge health={reportOf(service.id)?.health ?? service.health} />
                  </td>
                  <td>{uptime(reportOf(service.id)?.uptime.last_7d)}</td>
                  <td>{queueOf(reportOf(service.id)?.health ?? service.health)}</td>
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
      {health.state === "failed" ? <ProblemMessage problem={health.problem} /> : null}
    </Page>
  );
}

export function kindOf(service: Service): string {
  return service.api_type === "michigan" ? "Michigan (Cloudgene)" : "GA4GH WES";
}

export function placeOf(service: Service): string {
  return [service.location?.city, service.location?.country].filter(Boolean).join(", ") || "—";
}

/** The status as a badge, with the last check's response time. */
export function HealthBadge({ health }: { health: components["schemas"]["ServiceHealth"] | undefined }): ReactNode {
  const status = health?.status ?? "unknown";
  const latency = health?.response_time_ms;
  return (
    <>
      <span className={`badge badge-${status}`}>{status}</span>
      {latency == null ? null : <span className="muted"> {Math.round(latency)} ms</span>}
    </>
  );
}

/** Uptime as the platform answers it: a percentage already (the share of checks found healthy). */
export function uptime(percent: number | null | undefined): string {
  return percent == null ? "—" : `${percent.toFixed(1)}%`;
}

export function queueOf(health: components["schemas"]["ServiceHealth"] | undefined): string {
  const load = health?.queue_load;
  return load == null ? "—" : `${load} job${load === 1 ? "" : "s"}`;
}
