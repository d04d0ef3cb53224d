// One service's page (#/services/<id>, where the platform's emails about a service link): what it is,
// its health now with its uptime, its health history as a chart, and its reference panels. Those who
// manage it (admins, its service admins) also check it now, edit it and sync its panels.
import { useState, type ReactNode } from "react";
import { api, dataOf } from "../api/client";
import type { components } from "../api/schema";
import { TimeChart, type ChartPoint } from "../components/chart";
import { Field, Submit, useSubmit } from "../components/forms";
import { when } from "../components/format";
import { Page } from "../components/page";
import { Empty, Loaded, ProblemMessage, useAction, useLoad } from "../components/states";
import { Table } from "../components/table";
import { href } from "../router";
import { useRoles } from "../roles";
import { HealthBadge, kindOf, placeOf, queueOf, uptime } from "./services";

type Service = components["schemas"]["ImputationService"];
type Report = components["schemas"]["ServiceHealthReport"];
type SyncReport = components["schemas"]["PanelSyncReport"];
type Check = components["schemas"]["HealthCheck"];

const HISTORY_POINTS = 50;

export function ServicePage({ id }: { id: string }): ReactNode {
  const roles = useRoles();
  const [service] = useLoad(() => dataOf(api.GET("/services/{service_id}", { params: { path: { service_id: id } } })), [id]);
  const manages = roles.manages(id);
  return (
    <Page
      title={service.state === "loaded" ? service.data.name : "Service"}
      actions={
        manages && service.state === "loaded" ? (
          <a className="button" href={href(`admin/services/${id}/edit`)}>
            Edit the service
          </a>
        ) : null
      }
    >
      <p>
        <a href={href("services")}>All services</a>
      </p>
      <Loaded load={service} what="the service">
        {(found) => <Facts service={found} />}
      </Loaded>
      {service.state === "failed" ? null : <ServiceDetails id={id} manages={manages} apiType={service.state === "loaded" ? service.data.api_type : null} />}
    </Page>
  );
}

/** Its health, history and panels; gone when the service itself is not found (one problem shown, not four). */
function ServiceDetails({ id, manages, apiType }: { id: string; manages: boolean; apiType: Service["api_type"] | null }): ReactNode {
  const path = { params: { path: { service_id: id } } };
  const [health, reloadHealth] = useLoad(() => dataOf(api.GET("/services/{service_id}/health", path)), [id]);
  const [history, reloadHistory] = useLoad(
    () => dataOf(api.GET("/services/{service_id}/health/history", { params: { path: { service_id: id }, query: { limit: HISTORY_POINTS } } })),
    [id],
  );
  return (
    <>
      <section aria-labelledby="health-title">
        <h2 id="health-title">Health</h2>
        <Loaded load={health} what="its health">
          {(report) => <HealthNow report={report} />}
        </Loaded>
        {manages ? (
          <CheckNow
            id={id}
            onChecked={() => {
              reloadHealth();
              reloadHistory();
            }}
          />
        ) : null}
        <Loaded load={history} what="its health history">
          {(found) => <HistoryChart checks={found.items} />}
        </Loaded>
      </section>
      <Panels id={id} manages={manages} apiType={apiType} />
    </>
  );
}

function Facts({ service }: { service: Service }): ReactNode {
  return (
    <dl className="facts">
      <dt>Kind</dt>
      <dd>{kindOf(service)}</dd>
      <dt>Address</dt>
      <dd>
        <code>{service.base_url}</code>
      </dd>
      <dt>Location</dt>
      <dd>{placeOf(service)}</dd>
      <dt>Institution</dt>
      <dd>{service.institution ?? "—"}</dd>
      <dt>Builds</dt>
      <dd>{service.supported_builds.join(", ")}</dd>
      <dt>Your own token</dt>
      <dd>{service.requires_user_token ? "needed to run jobs (stored once, from the job form)" : "not needed"}</dd>
      <dt>Active</dt>
      <dd>{service.is_active ? "yes" : `no${service.deactivated_reason ? `: ${service.deactivated_reason}` : ""}`}</dd>
      {service.description ? (
        <>
          <dt>About</dt>
          <dd>{service.description}</dd>
        </>
      ) : null}
    </dl>
  );
}

function HealthNow({ report }: { report: Report }): ReactNode {
  const health = report.health;
  return (
    <dl className="facts" data-testid="health-now" data-status={health.status}>
      <dt>Status</dt>
      <dd>
        <HealthBadge health={health} />
      </dd>
      <dt>Last checked</dt>
      <dd>{when(health.last_checked_at)}</dd>
      <dt>Queue</dt>
      <dd>{queueOf(health)}</dd>
      <dt>Uptime</dt>
      <dd>
        {uptime(report.uptime.last_24h)} (24 hours), {uptime(report.uptime.last_7d)} (7 days), {uptime(report.uptime.last_30d)} (30 days)
      </dd>
      {health.last_error ? (
        <>
          <dt>Last error</dt>
          <dd>{health.last_error}</dd>
        </>
      ) : null}
    </dl>
  );
}

/** "Check now": the platform probes the service at once and answers its health. */
function CheckNow({ id, onChecked }: { id: string; onChecked: () => void }): ReactNode {
  const [problem, act] = useAction();
  const [busy, setBusy] = useState(false);
  const [checked, setChecked] = useState<Report | null>(null);
  const check = () => {
    setBusy(true);
    void act(async () => {
      setChecked(await dataOf(api.POST("/services/{service_id}/health-check", { params: { path: { service_id: id } } })));
      onChecked();
    }).finally(() => setBusy(false));
  };
  return (
    <div className="actions">
      <button type="button" disabled={busy} aria-busy={busy} onClick={check}>
        {busy ? "Checking…" : "Check now"}
      </button>
      {checked ? (
        <p role="status" className="notice">
          Checked just now: {checked.health.status}
          {checked.health.response_time_ms == null ? "" : `, ${Math.round(checked.health.response_time_ms)} ms`}
          {checked.health.last_error ? ` (${checked.health.last_error})` : ""}.
        </p>
      ) : null}
      {problem ? <ProblemMessage problem={problem} /> : null}
    </div>
  );
}

function HistoryChart({ checks }: { checks: readonly Check[] }): ReactNode {
  const points: ChartPoint[] = checks.map((check) => ({
    at: check.checked_at,
    value: check.response_time_ms == null ? null : Math.round(check.response_time_ms),
    tone: check.status === "healthy" ? "good" : "bad",
    note: check.error ? `${check.status}: ${check.error}` : check.status,
  }));
  return <TimeChart title={`Response time of the last ${checks.length} checks`} points={points} valueLabel="Response time" unit="ms" />;
}

function Panels({ id, manages, apiType }: { id: string; manages: boolean; apiType: Service["api_type"] | null }): ReactNode {
  const [panels, reload] = useLoad(() => dataOf(api.GET("/services/{service_id}/panels", { params: { path: { service_id: id } } })), [id]);
  return (
    <section aria-labelledby="panels-title">
      <h2 id="panels-title">Reference panels</h2>
      <Loaded load={panels} what="its panels">
        {(found) =>
          found.items.length === 0 ? (
            <Empty>The service has no reference panel registered.</Empty>
          ) : (
            <Table caption="The service's reference panels" hiddenCaption columns={["Panel", "Slug", "Build", "Populations", "Available"]}>
              {found.items.map((panel) => (
                <tr key={panel.id}>
                  <th scope="row">{panel.display_name}</th>
                  <td>
                    <code>{panel.slug}</code>
                  </td>
                  <td>{panel.build}</td>
                  <td>{panel.populations.join(", ") || "—"}</td>
                  <td>{panel.is_available ? "yes" : "no"}</td>
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
      {manages ? <PanelSync id={id} needsToken={apiType !== "ga4gh_wes"} onSynced={reload} /> : null}
    </section>
  );
}

/** Bring the panels in line with what the service offers; a Cloudgene server is read with one of its
 * admins' tokens, used for this request only. The answer lists what changed. */
function PanelSync({ id, needsToken, onSynced }: { id: string; needsToken: boolean; onSynced: () => void }): ReactNode {
  const [token, setToken] = useState("");
  const [report, setReport] = useState<SyncReport | null>(null);
  const [busy, problem, submit] = useSubmit();
  const onSubmit = submit(async () => {
    setReport(null);
    const body = needsToken ? { token } : {};
    setReport(await dataOf(api.POST("/services/{service_id}/panels/sync", { params: { path: { service_id: id } }, body })));
    onSynced();
  });
  return (
    <>
      <form onSubmit={onSubmit} noValidate aria-labelledby="sync-title">
        <h3 id="sync-title">Sync the panels</h3>
        {needsToken ? (
          <Field
            label="Cloudgene admin API token"
            name="token"
            type="password"
            value={token}
            onChange={setToken}
            autoComplete="off"
            hint="An admin's token of that server, to read its installed panels; used for this sync only, never stored."
          />
        ) : (
          <p className="hint">A WES node declares workflow languages, not panels: the sync reads and reports them.</p>
        )}
        {problem ? <ProblemMessage problem={problem} /> : null}
        <Submit busy={busy}>Sync panels</Submit>
      </form>
      {report ? <SyncResult report={report} /> : null}
    </>
  );
}

function SyncResult({ report }: { report: SyncReport }): ReactNode {
  const changed = report.added.length + report.updated.length + report.marked_unavailable.length;
  return (
    <div role="status" className="notice" data-testid="sync-report">
      <p>
        <strong>{changed === 0 ? "Nothing changed." : `${changed} panel${changed === 1 ? "" : "s"} changed.`}</strong> Read from {report.source}.
      </p>
      <ul>
        {report.added.map((panel) => (
          <li key={panel.id}>
            Added <code>{panel.slug}</code> ({panel.display_name}, {panel.build})
          </li>
        ))}
        {report.updated.map((change) => (
          <li key={change.id}>
            Updated <code>{change.slug}</code>: {change.fields.join(", ")}
          </li>
        ))}
        {report.marked_unavailable.map((change) => (
          <li key={change.id}>
            Marked unavailable <code>{change.slug}</code>
          </li>
        ))}
        {report.unchanged.length > 0 ? <li>Unchanged: {report.unchanged.join(", ")}</li> : null}
        {report.skipped.map((skipped) => (
          <li key={skipped.name}>
            Skipped {skipped.name}: {skipped.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}
