// Services at a glance: every registered imputation service with its health.
import type { ReactNode } from "react";
import { api, dataOf } from "../api/client";
import type { components } from "../api/schema";
import { Empty, Loaded, ProblemMessage, useLoad } from "../components/states";
import { Page } from "../components/page";

type Health = components["schemas"]["ServiceHealthReport"];

export function ServicesPage(): ReactNode {
  const [services] = useLoad(() => dataOf(api.GET("/services", { params: { query: { limit: 100 } } })), []);
  const [health] = useLoad(() => dataOf(api.GET("/service-health")), []);
  const reportOf = (id: string): Health | undefined =>
    health.state === "loaded" ? health.data.services.find((report) => report.service_id === id) : undefined;
  return (
    <Page title="Services">
      <Loaded load={services} what="services">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No imputation service is registered yet.</Empty>
          ) : (
            <table>
              <caption className="visually-hidden">Imputation services and their health</caption>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Location</th>
                  <th scope="col">Builds</th>
                  <th scope="col">Health</th>
                  <th scope="col">Uptime (7 days)</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((service) => (
                  <tr key={service.id}>
                    <th scope="row">{service.name}</th>
                    <td>{service.api_type === "michigan" ? "Michigan (Cloudgene)" : "GA4GH WES"}</td>
                    <td>{[service.location?.city, service.location?.country].filter(Boolean).join(", ") || "—"}</td>
                    <td>{service.supported_builds.join(", ")}</td>
                    <td>
                      <HealthBadge report={reportOf(service.id)} />
                    </td>
                    <td>{uptime(reportOf(service.id))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      {health.state === "failed" ? <ProblemMessage problem={health.problem} /> : null}
    </Page>
  );
}

function HealthBadge({ report }: { report: Health | undefined }): ReactNode {
  const status = report?.health.status ?? "unknown";
  const latency = report?.health.response_time_ms;
  return (
    <>
      <span className={`badge badge-${status}`}>{status}</span>
      {latency == null ? null : <span className="muted"> {latency} ms</span>}
    </>
  );
}

function uptime(report: Health | undefined): string {
  const share = report?.uptime.last_7d;
  return share == null ? "—" : `${(share * 100).toFixed(1)}%`;
}
