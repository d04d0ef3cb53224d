// "New job": the caller's validated files, where to run it (one service, several at once, or `auto`), the
// panels offered there on the chosen build, and the job's options. One Idempotency-Key per form content,
// so a double click, or sending again after no answer came, makes one job; the problem the platform
// answers shows beside the form.
import { useId, useState, type ReactNode } from "react";
import { api, dataOf } from "../api/client";
import type { components } from "../api/schema";
import { Field, Select, Submit, toggled, useSubmit } from "../components/forms";
import { Page } from "../components/page";
import { Empty, Loaded, ProblemMessage, useAction, useLoad } from "../components/states";
import { href, navigate } from "../router";

type JobCreate = components["schemas"]["JobCreate"];
type Build = JobCreate["build"];
type Service = components["schemas"]["ImputationService"];
type Panel = components["schemas"]["ReferencePanel"];
type GenotypeFile = components["schemas"]["FileView"];

/** Where the job runs: one service; several (a parent job with a child on each); or `auto`, the
 * registry's best-ranked service that can take it. */
type ServiceChoice = { kind: "one"; id: string | null } | { kind: "several"; ids: readonly string[] } | { kind: "auto" };

function serviceOf(choice: ServiceChoice): JobCreate["service"] | null {
  if (choice.kind === "auto") return "auto";
  if (choice.kind === "several") return choice.ids.length === 0 ? null : [...choice.ids];
  return choice.id;
}

/** The services the choice names (for `auto`, every active one: any of them may be chosen). */
function chosenServices(choice: ServiceChoice, services: readonly Service[]): Service[] {
  if (choice.kind === "auto") return [...services];
  const ids = choice.kind === "one" ? (choice.id === null ? [] : [choice.id]) : choice.ids;
  return services.filter((service) => ids.includes(service.id));
}

/** The builds the choice can run: one service's; every chosen service's for several; any service's for `auto`. */
function buildsOf(choice: ServiceChoice, services: readonly Service[]): Build[] {
  const chosen = chosenServices(choice, services);
  if (chosen.length === 0) return ["hg19", "hg38"];
  const all: Build[] = ["hg19", "hg38"];
  if (choice.kind === "auto") return all.filter((build) => chosen.some((service) => service.supported_builds.includes(build)));
  return all.filter((build) => chosen.every((service) => service.supported_builds.includes(build)));
}

interface JobForm {
  name: string;
  fileIds: readonly string[];
  service: ServiceChoice;
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
const FIRST: JobForm = { name: "", fileIds: [], service: { kind: "one", id: null }, build: "hg19", panel: "", phasing: "eagle", population: "", r2: "", mode: "imputation" };

/** The body `POST /jobs` takes from the form (options left empty are left out). */
function bodyOf(form: JobForm, service: JobCreate["service"]): JobCreate {
  return {
    name: form.name.trim(),
    service,
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
  const chosen = chosenServices(form.service, services);
  const builds = buildsOf(form.service, services);
  const onSubmit = submit(async () => {
    const service = serviceOf(form.service);
    if (service === null) throw { title: "Choose a service", status: 0, detail: "Choose the service (or services) to run the job on, or automatic." };
    const job = await dataOf(api.POST("/jobs", { params: { header: { "idempotency-key": key } }, body: bodyOf(form, service) }));
    navigate(`jobs/${job.id}`);
  });
  const choose = (service: ServiceChoice) => {
    const usable = buildsOf(service, services);
    change({ service, panel: "", population: "", ...(usable.includes(form.build) || usable[0] === undefined ? {} : { build: usable[0] }) });
  };
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
              onChange={(event) => change({ fileIds: toggled(form.fileIds, file.id, event.currentTarget.checked) })}
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
      <ServiceChoiceField choice={form.service} services={services} onChoose={choose} />
      <Select
        label="Build"
        name="build"
        value={form.build}
        onChange={(build) => change({ build: build as Build, panel: "", population: "" })}
        options={builds.map((build) => [build, build] as const)}
      />
      {form.service.kind === "auto"
        ? null
        : chosen.filter((service) => service.requires_user_token).map((service) => <ServiceToken key={service.id} service={service} />)}
      {chosen.length === 0 ? null : <PanelChoice choice={form.service} services={chosen} build={form.build} form={form} change={change} />}
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

const WHERE: readonly (readonly [ServiceChoice["kind"], string, string])[] = [
  ["one", "One service", "The job runs on the service you choose."],
  ["several", "Several services", "A job on each service you tick, followed together as one; each service must offer the panel."],
  ["auto", "Automatic", "The platform picks the best-ranked service that can take the job now (healthy, least loaded, nearest, with the panel, your token stored where one is needed), and the next one if it refuses."],
];

/** Where the job runs: a radio group, then the one service's list or the services' checkboxes. */
function ServiceChoiceField({ choice, services, onChoose }: { choice: ServiceChoice; services: readonly Service[]; onChoose: (choice: ServiceChoice) => void }): ReactNode {
  const label = (service: Service) => `${service.name} (${service.health.status})`;
  return (
    <>
      <fieldset>
        <legend>Where to run it</legend>
        {WHERE.map(([kind, text, hint]) => (
          <div key={kind} className="choice">
            <label className="check">
              <input
                type="radio"
                name="where"
                value={kind}
                checked={choice.kind === kind}
                aria-describedby={`where-${kind}-hint`}
                onChange={() => onChoose(kind === "auto" ? { kind } : kind === "several" ? { kind, ids: [] } : { kind, id: null })}
              />
              {text}
            </label>
            <small id={`where-${kind}-hint`} className="hint">
              {hint}
            </small>
          </div>
        ))}
      </fieldset>
      {choice.kind === "one" ? (
        <Select
          label="Service"
          name="service"
          value={choice.id ?? ""}
          onChange={(id) => onChoose({ kind: "one", id: id === "" ? null : id })}
          options={[["", "Choose a service"], ...services.map((one) => [one.id, label(one)] as const)]}
        />
      ) : null}
      {choice.kind === "several" ? (
        <fieldset>
          <legend>Services</legend>
          {services.map((one) => (
            <label key={one.id} className="check">
              <input
                type="checkbox"
                name="services"
                value={one.id}
                checked={choice.ids.includes(one.id)}
                onChange={(event) => onChoose({ kind: "several", ids: toggled(choice.ids, one.id, event.currentTarget.checked) })}
              />
              {label(one)}
            </label>
          ))}
        </fieldset>
      ) : null}
    </>
  );
}

/** A panel as the form offers it: its slug (what the job names), its name, and the populations every
 * service offering it lists. */
interface OfferedPanel {
  slug: string;
  name: string;
  offeredBy: number;
  populations: string[];
}

/** The panels the form offers, by the rule `POST /jobs` applies: for one service or several, a panel
 * every chosen service offers (available, on the build, the same slug); for `auto`, one that at least
 * one active service offers (the registry ranks those that do, and the job goes to the best that can
 * take it). */
function offeredPanels(choice: ServiceChoice, services: readonly Service[], panels: readonly Panel[], build: Build): OfferedPanel[] {
  const ids = new Set(services.map((service) => service.id));
  const bySlug = new Map<string, Panel[]>();
  for (const panel of panels) {
    if (!ids.has(panel.service_id) || panel.build !== build || !panel.is_available) continue;
    bySlug.set(panel.slug, [...(bySlug.get(panel.slug) ?? []), panel]);
  }
  const needed = choice.kind === "auto" ? 1 : services.length;
  return [...bySlug.entries()]
    .filter(([, offering]) => new Set(offering.map((panel) => panel.service_id)).size >= needed)
    .map(([slug, offering]) => ({
      slug,
      name: offering[0]?.display_name ?? slug,
      offeredBy: new Set(offering.map((panel) => panel.service_id)).size,
      populations: (offering[0]?.populations ?? []).filter((population) => offering.every((panel) => panel.populations.includes(population))),
    }));
}

const PANEL_RULE: Record<ServiceChoice["kind"], string> = {
  one: "The panels the service offers on this build.",
  several: "The panels every chosen service offers on this build (the job is refused if one of them lacks it).",
  auto: "The panels at least one service offers on this build; the job goes to the best-ranked service that has it.",
};

/** The panels offered where the job may run, on the chosen build, and the populations of the one chosen. */
function PanelChoice({ choice, services, build, form, change }: { choice: ServiceChoice; services: readonly Service[]; build: Build; form: JobForm; change: (patch: Partial<JobForm>) => void }): ReactNode {
  const [panels] = useLoad(() => dataOf(api.GET("/panels", { params: { query: { build, available: true } } })), [build]);
  return (
    <Loaded load={panels} what="the services' panels">
      {(list) => {
        const offered = offeredPanels(choice, services, list.items, build);
        if (offered.length === 0) {
          const where = choice.kind === "one" ? "This service offers" : choice.kind === "several" ? "The chosen services offer no panel in common" : "No service offers";
          return <Empty>{choice.kind === "several" ? `${where} on ${build}: choose other services or another build.` : `${where} no panel on ${build}: choose another build${choice.kind === "one" ? " or service" : ""}.`}</Empty>;
        }
        const chosen = offered.find((panel) => panel.slug === form.panel);
        const many = services.length > 1;
        return (
          <>
            <Select
              label="Reference panel"
              name="panel"
              value={form.panel}
              onChange={(panel) => change({ panel, population: "" })}
              hint={PANEL_RULE[choice.kind]}
              options={[
                ["", "Choose a panel"],
                ...offered.map((panel) => [panel.slug, many && choice.kind === "auto" ? `${panel.name} (${panel.offeredBy} of ${services.length} services)` : panel.name] as const),
              ]}
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
  const inputId = useId(); // a job sent to several services may ask for several tokens at once
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
            <p className="hint" id={`${inputId}-hint`}>
              {service.name} runs jobs under your own account there: paste the API token from your profile on it. It is stored
              encrypted and never shown again.
            </p>
            <div className="field">
              <label htmlFor={inputId}>API token</label>
              <input
                id={inputId}
                type="password"
                autoComplete="off"
                value={token}
                aria-describedby={`${inputId}-hint`}
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
