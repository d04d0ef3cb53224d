// "My jobs" (a status filter, pages) and one job's page: where it stands, the service's step logs, its
// history, cancel and retry (each confirmed first), its outputs to download and the archive password.
// A job's page asks again while the job is active and stops when it ends or the page is left.
import { useEffect, useState, type ReactNode } from "react";
import { api, dataOf } from "../api/client";
import type { components } from "../api/schema";
import { Confirmed } from "../components/confirmed";
import { Select } from "../components/forms";
import { when } from "../components/format";
import { Page } from "../components/page";
import { Pager } from "../components/pager";
import { Empty, Loaded, ProblemMessage, useAction, useLoad, useRefresh } from "../components/states";
import { Table } from "../components/table";
import { refreshUnread } from "../notices";
import { href, navigate } from "../router";

type Job = components["schemas"]["JobView"];
type Status = Job["status"];
type Output = components["schemas"]["OutputView"];
type Routing = components["schemas"]["Routing"];

const PAGE_SIZE = 20;
const JOB_REFRESH_MS = 5000; // an active job's page asks this often (the platform polls services each minute)
const ACTIVE: ReadonlySet<Status> = new Set(["pending", "submitted", "queued", "running"]);
const STATUSES: readonly Status[] = ["pending", "submitted", "queued", "running", "completed", "failed", "cancelled"];

export function JobsPage({ params }: { params: URLSearchParams }): ReactNode {
  const status = (STATUSES as readonly string[]).includes(params.get("status") ?? "") ? (params.get("status") as Status) : undefined;
  const offset = Math.max(0, Number.parseInt(params.get("offset") ?? "0", 10) || 0);
  const [jobs] = useLoad(
    () => dataOf(api.GET("/jobs", { params: { query: { limit: PAGE_SIZE, offset, ...(status ? { status } : {}) } } })),
    [status, offset],
  );
  const go = (next: { status?: Status | undefined; offset: number }) =>
    navigate("jobs", { ...(next.status ? { status: next.status } : {}), ...(next.offset > 0 ? { offset: String(next.offset) } : {}) });
  return (
    <Page
      title="My jobs"
      actions={
        <a className="button" href={href("jobs/new")}>
          New job
        </a>
      }
    >
      <Select
        label="Status"
        name="status"
        value={status ?? ""}
        onChange={(chosen) => go({ status: chosen === "" ? undefined : (chosen as Status), offset: 0 })}
        options={[["", "Any status"], ...STATUSES.map((one) => [one, one] as const)]}
      />
      <Loaded load={jobs} what="your jobs">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>{status ? `You have no ${status} jobs.` : "You have no jobs yet."}</Empty>
          ) : (
            <>
              <Table caption="Your jobs, newest first" hiddenCaption columns={["Job", "Status", "Progress", "Service", "Created"]}>
                {page.items.map((job) => (
                  <tr key={job.id}>
                    <th scope="row">
                      <a href={href(`jobs/${job.id}`)}>{job.name}</a>
                    </th>
                    <td>
                      <StatusBadge status={job.status} />
                    </td>
                    <td>{job.progress == null ? "—" : `${job.progress}%`}</td>
                    <td>
                      {job.service?.name ?? "several services"}
                      {job.parent_id ? <span className="muted"> (one part of a job on several services)</span> : null}
                    </td>
                    <td>{when(job.created_at)}</td>
                  </tr>
                ))}
              </Table>
              <Pager label="Pages of jobs" offset={offset} shown={page.items.length} total={page.total} size={PAGE_SIZE} onGo={(next) => go({ status, offset: next })} />
            </>
          )
        }
      </Loaded>
    </Page>
  );
}

function StatusBadge({ status }: { status: Status }): ReactNode {
  return <span className={`badge badge-${status}`}>{status}</span>;
}

export function JobPage({ id }: { id: string }): ReactNode {
  const [job, reload] = useLoad(() => dataOf(api.GET("/jobs/{job_id}", { params: { path: { job_id: id } } })), [id]);
  const active = job.state === "loaded" && ACTIVE.has(job.data.status);
  useRefresh(active, reload, JOB_REFRESH_MS, job);
  // a job that moves tells its owner: the badge asks again when it does
  const status = job.state === "loaded" ? job.data.status : null;
  useEffect(() => {
    if (status !== null) refreshUnread();
  }, [status]);
  return (
    <Page title={job.state === "loaded" ? `Job ${job.data.name}` : "Job"}>
      <p>
        <a href={href("jobs")}>All my jobs</a>
      </p>
      <Loaded load={job} what="the job">
        {(shown) => <JobDetails job={shown} onChanged={reload} />}
      </Loaded>
    </Page>
  );
}

function JobDetails({ job, onChanged }: { job: Job; onChanged: () => void }): ReactNode {
  return (
    <div className="job" data-status={job.status}>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={job.status} />
          {job.stalled ? <span className="muted"> (the service has said nothing new for a long time)</span> : null}
        </dd>
        <dt>Progress</dt>
        <dd>
          {job.progress == null ? "—" : (
            <progress max={100} value={job.progress} aria-label={`Progress of ${job.name}`}>
              {job.progress}%
            </progress>
          )}
        </dd>
        {job.position_in_queue == null ? null : (
          <>
            <dt>Position in the queue</dt>
            <dd>{job.position_in_queue}</dd>
          </>
        )}
        <dt>Service</dt>
        <dd>
          {job.service ? job.service.name : (job.children ?? []).map((child) => child.service?.name).join(", ")}
          {job.routing ? <span className="muted"> (chosen automatically: see Routing)</span> : null}
        </dd>
        <dt>Panel and build</dt>
        <dd>
          {job.panel} on {job.build}
        </dd>
        <dt>Options</dt>
        <dd>
          phasing {job.phasing}, {job.mode === "qc_only" ? "quality control only" : "imputation"}
          {job.population ? `, population ${job.population}` : ""}
          {job.r2_filter == null ? "" : `, r² ≥ ${job.r2_filter}`}
        </dd>
        <dt>Created</dt>
        <dd>{when(job.created_at)}</dd>
        {job.finished_at ? (
          <>
            <dt>Finished</dt>
            <dd>{when(job.finished_at)}</dd>
          </>
        ) : null}
      </dl>
      {job.waiting_for_service ? <p className="notice">Waiting for the service: {job.waiting_for_service}</p> : null}
      {job.error ? (
        <div className="problem">
          <p>
            <strong>Why it failed</strong>: {job.error}
          </p>
        </div>
      ) : null}
      {job.parent_id ? (
        <p>
          Part of a job sent to several services: <a href={href(`jobs/${job.parent_id}`)}>the whole job</a>.
        </p>
      ) : null}
      <JobActions job={job} onChanged={onChanged} />
      {(job.children ?? []).length > 0 ? <Children job={job} /> : null}
      {job.routing ? <RoutingView routing={job.routing} chosen={job.service?.id ?? null} /> : null}
      {job.status === "completed" ? <Outputs job={job} /> : null}
      {job.service?.api_type === "michigan" && job.external_id ? <ArchivePassword jobId={job.id} /> : null}
      <Steps job={job} />
      <History job={job} />
    </div>
  );
}

/** Cancel an active job, retry a failed or cancelled one: each asked "are you sure?" first. */
function JobActions({ job, onChanged }: { job: Job; onChanged: () => void }): ReactNode {
  const [problem, act] = useAction();
  const cancel = () =>
    act(async () => {
      await dataOf(api.POST("/jobs/{job_id}/cancel", { params: { path: { job_id: job.id } } }));
      onChanged();
    });
  const retry = () =>
    act(async () => {
      const again = await dataOf(api.POST("/jobs/{job_id}/retry", { params: { path: { job_id: job.id } } }));
      navigate(`jobs/${again.id}`);
    });
  const canRetry = job.status === "failed" || job.status === "cancelled";
  if (!ACTIVE.has(job.status) && !canRetry) return null;
  return (
    <div className="actions">
      {ACTIVE.has(job.status) ? (
        <Confirmed label="Cancel the job" question={`Cancel ${job.name}? The service stops working on it.`} confirm="Yes, cancel it" keep="Keep it running" onConfirm={cancel} />
      ) : null}
      {canRetry ? (
        <Confirmed label="Retry the job" question={`Run ${job.name} again as a new job, with the same files and options?`} confirm="Yes, retry it" keep="Not now" onConfirm={retry} />
      ) : null}
      {problem ? <ProblemMessage problem={problem} /> : null}
    </div>
  );
}

const OUTPUTS_REFRESH_MS = 5000; // while the results are being copied in

function Outputs({ job }: { job: Job }): ReactNode {
  const [outputs, reload] = useLoad(() => dataOf(api.GET("/jobs/{job_id}/outputs", { params: { path: { job_id: job.id } } })), [job.id]);
  useRefresh(outputs.state === "loaded" && outputs.data.state === "copying", reload, OUTPUTS_REFRESH_MS, outputs);
  return (
    <section aria-labelledby="outputs-title">
      <h2 id="outputs-title">Results</h2>
      <Loaded load={outputs} what="the results">
        {(found) => (
          <>
            {found.state === "copying" ? <p role="status">The results are being copied from the service…</p> : null}
            {found.state === "incomplete" ? <p className="notice">Some results could not be copied from the service.</p> : null}
            {found.items.length === 0 ? (
              found.state === "copying" ? null : <Empty>The job left no result files.</Empty>
            ) : (
              <ul className="outputs">
                {found.items.map((output) => (
                  <OutputRow key={output.name} output={output} />
                ))}
              </ul>
            )}
          </>
        )}
      </Loaded>
    </section>
  );
}

function OutputRow({ output }: { output: Output }): ReactNode {
  const [problem, act] = useAction();
  // a link valid for minutes, asked for at the moment of the click; the browser saves what it answers
  const download = (fileId: string) =>
    act(async () => {
      const link = await dataOf(api.GET("/files/{file_id}/download", { params: { path: { file_id: fileId } } }));
      window.location.assign(link.url);
    });
  return (
    <li className="output" data-status={output.status}>
      <span>{output.name}</span>
      {output.size_bytes == null ? null : <span className="muted"> {output.size_bytes} bytes</span>}{" "}
      {output.status === "stored" && output.file_id ? (
        <button type="button" onClick={() => void download(output.file_id as string)}>
          Download {output.name}
        </button>
      ) : (
        <span className="muted">not copied{output.error ? `: ${output.error}` : ""}</span>
      )}
      {problem ? <ProblemMessage problem={problem} /> : null}
    </li>
  );
}

/** The password of the result archives, shown to the owner when they ask. */
function ArchivePassword({ jobId }: { jobId: string }): ReactNode {
  const [shown, setShown] = useState<string | null>(null);
  const [problem, act] = useAction();
  const reveal = () =>
    act(async () => setShown((await dataOf(api.GET("/jobs/{job_id}/password", { params: { path: { job_id: jobId } } }))).password));
  return (
    <section aria-labelledby="password-title">
      <h2 id="password-title">Archive password</h2>
      {shown === null ? (
        <button type="button" className="secondary" onClick={() => void reveal()}>
          Show the archive password
        </button>
      ) : (
        <p>
          The result archives open with <code data-testid="archive-password">{shown}</code>{" "}
          <button type="button" className="link-dark" onClick={() => setShown(null)}>
            Hide it
          </button>
        </p>
      )}
      {problem ? <ProblemMessage problem={problem} /> : null}
    </section>
  );
}

/** A job sent to several services: a job on each, with where it stands and a link to its page. */
function Children({ job }: { job: Job }): ReactNode {
  return (
    <section aria-labelledby="children-title">
      <h2 id="children-title">On each service</h2>
      <Table caption="The job on each service it was sent to, in the order asked" hiddenCaption columns={["Service", "Status", "Progress", "Finished"]}>
        {(job.children ?? []).map((child) => (
          <tr key={child.id}>
            <th scope="row">
              <a href={href(`jobs/${child.id}`)}>{child.service?.name ?? child.name}</a>
            </th>
            <td>
              <StatusBadge status={child.status} />
            </td>
            <td>{child.progress == null ? "—" : `${child.progress}%`}</td>
            <td>{when(child.finished_at)}</td>
          </tr>
        ))}
      </Table>
    </section>
  );
}

/** How `auto` chose the service: the registry's ranking with each service's score and reasons, what
 * became of each (chosen, refused, skipped and why), and each refusal it failed over from. */
function RoutingView({ routing, chosen }: { routing: Routing; chosen: string | null }): ReactNode {
  const refusals = new Map(routing.attempts.map((attempt) => [attempt.service_id, attempt.refused]));
  const outcome = (serviceId: string, skipped: string | null | undefined): string => {
    if (serviceId === chosen) return "chosen: the job runs here";
    const refused = refusals.get(serviceId);
    if (refused !== undefined) return `refused the job: ${refused}`;
    if (skipped) return `skipped: ${skipped}`;
    return "not needed: a better-ranked service took the job";
  };
  return (
    <section aria-labelledby="routing-title">
      <h2 id="routing-title">Routing</h2>
      <p>
        You asked for the best service automatically. The registry ranked the services that offer the panel on the build (a score
        from 0 to 100); the job went to the best-ranked one that could take it
        {routing.attempts.length > 0 ? `, after ${routing.attempts.length} ${routing.attempts.length === 1 ? "refusal" : "refusals"}` : ""}.
      </p>
      {routing.ranking.length === 0 ? (
        <Empty>No service was ranked.</Empty>
      ) : (
        <Table caption="The services ranked for the job, best first" hiddenCaption columns={["Rank", "Service", "Score", "Why", "Outcome"]} className="routing">
          {routing.ranking.map((entry) => (
            <tr key={entry.service_id} data-chosen={entry.service_id === chosen ? "yes" : "no"}>
              <td>{entry.rank ?? "—"}</td>
              <th scope="row">
                {entry.name}
                <span className="muted"> (panel {entry.panel})</span>
              </th>
              <td>{entry.score == null ? "—" : entry.score.toFixed(1)}</td>
              <td>
                {entry.reasons.length === 0 ? (
                  "—"
                ) : (
                  <ul className="reasons">
                    {entry.reasons.map((reason) => (
                      <li key={reason}>{reason}</li>
                    ))}
                  </ul>
                )}
              </td>
              <td>{outcome(entry.service_id, entry.skipped)}</td>
            </tr>
          ))}
        </Table>
      )}
      <h3>Failovers</h3>
      {routing.attempts.length === 0 ? (
        <Empty>The first service chosen took the job: no failover.</Empty>
      ) : (
        <ol className="attempts">
          {routing.attempts.map((attempt) => (
            <li key={`${attempt.service_id}:${attempt.at}`}>
              {when(attempt.at)}: {attempt.service_name} refused the job ({attempt.refused}); it moved to the next service.
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Steps({ job }: { job: Job }): ReactNode {
  return (
    <section aria-labelledby="steps-title">
      <h2 id="steps-title">The service's steps</h2>
      {job.steps.length === 0 ? (
        <Empty>The service has reported no steps yet.</Empty>
      ) : (
        <ol className="steps">
          {job.steps.map((step, index) => (
            <li key={`${index}:${step.name}`}>
              <strong>{step.name}</strong>
              <ul>
                {step.messages.map((message, line) => (
                  <li key={line} className={`log log-${message.level}`}>
                    <span className="visually-hidden">{message.level}: </span>
                    {message.text}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function History({ job }: { job: Job }): ReactNode {
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <Table caption="How the job moved, oldest first" hiddenCaption columns={["When", "Status", "Why"]}>
        {job.history.map((entry) => (
          <tr key={entry.revision}>
            <td>{when(entry.at)}</td>
            <td>
              <StatusBadge status={entry.status} />
            </td>
            <td>{entry.reason ?? "—"}</td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
