// "New job": the caller's validated files, a service, the panels that service offers on the chosen
// build, and the job's options. One Idempotency-Key per form content, so a double click, or sending
// again after no answer came, makes one job; the problem the platform answers shows beside the form.
import { useState, type ReactNode } from "react";
import { api, dataOf } from "../api/client";
import type { components } from "../api/schema";
import { Field, Select, Submit, useSubmit } from "../components/forms";
import { Page } from "../components/page";
import { Empty, Loaded, ProblemMessage, useAction, useLoad } from "../components/states";
import { href, navigate } from "../router";

type JobCreate = components["schemas"]["JobCreate"];
type Build = JobCreate["build"];
type Service = components["schemas"]["ImputationService"];
type Panel = components["schemas"]["ReferencePanel"];
type GenotypeFile = components["schemas"]["FileView"];

/** Where the job runs. One service for now: the API refuses `auto` and lists of services, and the
 * form offers them once it takes them (a choice of this type's other kinds, mapped in `serviceOf`). */
type ServiceChoice = { kind: "one"; id: string };

function serviceOf(choice: ServiceChoice): JobCreate["service"] {
  return choice.id;
}

interface JobForm {
  name: string;
  fileIds: readonly string[];
  service: ServiceChoice | null;
  build: Build;
  panel: string;
  phasing: string;
  population: string;
  r2: string;
  mode: JobCreate["mode"];
}

const PHASING: readonly (readonly [string, string])[] = [
  ["eagle", "Eagle"],
  ["beagle", "Beagle"],
  ["no_phasing", "No phasing (the files are phased)"],
];
const MODES: readonly (readonly [JobCreate["mode"], string])[] = [
  ["imputation", "Quality control and imputation"],
  ["qc_only", "Quality control only"],
];
const FIRST: JobForm = { name: "", fileIds: [], service: null, build: "hg19", panel: "", phasing: "eagle", population: "", r2: "", mode: "imputation" };

/** The body `POST /jobs` takes from the form (options left empty are left out). */
function bodyOf(form: JobForm, service: ServiceChoice): JobCreate {
  return {
    name: form.name.trim(),
    service: serviceOf(service),
    panel: form.panel,
    build: form.build,
    phasing: form.phasing,
    mode: form.mode,
    file_ids: [...form.fileIds],
    ...(form.population === "" ? {} : { population: form.population }),
    ...(form.r2.trim() === "" ? {} : { r2_filter: Number(form.r2) }),
  };
}

export function NewJobPage(): ReactNode {
  const [files] = useLoad(() => dataOf(api.GET("/files", { params: { query: { status: "valid", limit: 100 } } })), []);
  const [services] = useLoad(() => dataOf(api.GET("/services", { params: { query: { is_active: true, limit: 100 } } })), []);
  return (
    <Page title="New job">
      <Loaded load={files} what="your validated files">
        {(filePage) => (
          <Loaded load={services} what="services">
            {(servicePage) =>
              filePage.items.length === 0 ? (
                <Empty>
                  You have no validated files yet: upload VCF files on <a href={href("files")}>My files</a> first.
                </Empty>
              ) : servicePage.items.length === 0 ? (
                <Empty>No imputation service takes jobs yet.</Empty>
              ) : (
                <JobFormView files={filePage.items} services={servicePage.items} />
              )
            }
          </Loaded>
        )}
      </Loaded>
    </Page>
  );
}

function JobFormView({ files, services }: { files: readonly GenotypeFile[]; services: readonly Service[] }): ReactNode {
  const [form, setForm] = useState<JobForm>(FIRST);
  // a new key whenever the form changes: the same content sent again is the same job
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [busy, problem, submit] = useSubmit();
  const change = (patch: Partial<JobForm>) => {
    setForm((current) => ({ ...current, ...patch }));
    setKey(crypto.randomUUID());
  };
  const service = services.find((candidate) => candidate.id === form.service?.id);
  const builds = (service?.supported_builds ?? ["hg19", "hg38"]) as Build[];
  const onSubmit = submit(async () => {
    if (form.service === null) throw { title: "Choose a service", status: 0, detail: "Choose the service to run the job on." };
    const job = await dataOf(api.POST("/jobs", { params: { header: { "idempotency-key": key } }, body: bodyOf(form, form.service) }));
    navigate(`jobs/${job.id}`);
  });
  return (
    <form onSubmit={onSubmit} noValidate className="wide">
      <Field label="Job name" name="name" value={form.name} onChange={(name) => change({ name })} />
      <fieldset>
        <legend>Files</legend>
        {files.map((file) => (
          <label key={file.id} className="check">
            <input
              type="checkbox"
              name="file"
              value={file.id}
              checked={form.fileIds.includes(file.id)}
              onChange={(event) => {
                const on = event.currentTarget.checked;
                change({ fileIds: on ? [...form.fileIds, file.id] : form.fileIds.filter((id) => id !== file.id) });
              }}
            />
            {file.filename}
            <span className="muted">
              {" "}
              ({file.summary ? `chromosome ${file.summary.chromosome ?? "?"}, ${file.summary.samples} samples, ` : ""}uploaded{" "}
              {new Date(file.created_at).toLocaleString()})
            </span>
          </label>
        ))}
      </fieldset>
      <Select
        label="Service"
        name="service"
        value={form.service?.id ?? ""}
        onChange={(id) => change({ service: id === "" ? null : { kind: "one", id }, panel: "", population: "" })}
        options={[["", "Choose a service"], ...services.map((one) => [one.id, `${one.name} (${one.health.status})`] as const)]}
      />
      <Select
        label="Build"
        name="build"
        value={form.build}
        onChange={(build) => change({ build: build as Build, panel: "", population: "" })}
        options={builds.map((build) => [build, build] as const)}
      />
      {service?.requires_user_token ? <ServiceToken key={service.id} service={service} /> : null}
      {form.service === null ? null : (
        <PanelChoice serviceId={form.service.id} build={form.build} form={form} change={change} />
      )}
      <Select label="Phasing" name="phasing" value={form.phasing} onChange={(phasing) => change({ phasing })} options={PHASING} />
      <div className="field">
        <label htmlFor="job-r2">r² filter</label>
        <input
          id="job-r2"
          name="r2_filter"
          type="number"
          min={0}
          max={1}
          step={0.001}
          value={form.r2}
          aria-describedby="job-r2-hint"
          onChange={(event) => change({ r2: event.currentTarget.value })}
        />
        <small id="job-r2-hint" className="hint">
          Optional: drop imputed variants with an r² below this (0 to 1).
        </small>
      </div>
      <Select label="Mode" name="mode" value={form.mode} onChange={(mode) => change({ mode: mode as JobCreate["mode"] })} options={MODES} />
      {problem ? <ProblemMessage problem={problem} /> : null}
      <Submit busy={busy}>Submit job</Submit>
    </form>
  );
}

/** The panels the chosen service offers on the chosen build, and the populations of the one chosen. */
function PanelChoice({ serviceId, build, form, change }: { serviceId: string; build: Build; form: JobForm; change: (patch: Partial<JobForm>) => void }): ReactNode {
  const [panels] = useLoad(() => dataOf(api.GET("/services/{service_id}/panels", { params: { path: { service_id: serviceId } } })), [serviceId]);
  return (
    <Loaded load={panels} what="the service's panels">
      {(list) => {
        const offered = list.items.filter((panel: Panel) => panel.build === build && panel.is_available);
        if (offered.length === 0) return <Empty>This service offers no panel on {build}: choose another build or service.</Empty>;
        const chosen = offered.find((panel) => panel.slug === form.panel);
        return (
          <>
            <Select
              label="Reference panel"
              name="panel"
              value={form.panel}
              onChange={(panel) => change({ panel, population: "" })}
              options={[["", "Choose a panel"], ...offered.map((panel) => [panel.slug, panel.display_name] as const)]}
            />
            <Select
              label="Population"
              name="population"
              value={form.population}
              onChange={(population) => change({ population })}
              disabled={chosen === undefined || chosen.populations.length === 0}
              options={[["", "None (optional)"], ...(chosen?.populations ?? []).map((population) => [population, population] as const)]}
            />
          </>
        );
      }}
    </Loaded>
  );
}

/** A service that runs jobs under the person's own account there needs their token for it: stored here
 * (encrypted, never shown again) when it is not yet. Part of the job's form, so no form of its own. */
function ServiceToken({ service }: { service: Service }): ReactNode {
  const [stored, reload] = useLoad(() => dataOf(api.GET("/me/credentials")), []);
  const [token, setToken] = useState("");
  const [problem, act] = useAction();
  const store = () =>
    act(async () => {
      await dataOf(api.PUT("/me/credentials/{service_id}", { params: { path: { service_id: service.id } }, body: { token } }));
      setToken("");
      reload();
    });
  return (
    <Loaded load={stored} what="your stored tokens">
      {(list) =>
        list.items.some((item) => item.service_id === service.id) ? (
          <p className="muted">Your token for {service.name} is stored.</p>
        ) : (
          <fieldset>
            <legend>Your token for {service.name}</legend>
            <p className="hint" id="service-token-hint">
              {service.name} runs jobs under your own account there: paste the API token from your profile on it. It is stored
              encrypted and never shown again.
            </p>
            <div className="field">
              <label htmlFor="service-token">API token</label>
              <input
                id="service-token"
                type="password"
                autoComplete="off"
                value={token}
                aria-describedby="service-token-hint"
                onChange={(event) => setToken(event.currentTarget.value)}
                onKeyDown={(event) => {
                  if (event.key !== "Enter") return;
                  event.preventDefault(); // Enter stores the token, it does not send the job
                  void store();
                }}
              />
            </div>
            {problem ? <ProblemMessage problem={problem} /> : null}
            <button type="button" onClick={() => void store()}>
              Store the token
            </button>
          </fieldset>
        )
      }
    </Loaded>
  );
}
