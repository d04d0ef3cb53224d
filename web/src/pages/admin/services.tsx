// Register a service (#/admin/services/new) or edit one (#/admin/services/<id>/edit): the connection
// to its address is tested first (the platform probes it and says what it found), then it is saved; a
// problem's message for a field shows next to that field.
import { useState, type ReactNode } from "react";
import { api, dataOf } from "../../api/client";
import type { components } from "../../api/schema";
import { Field, Select, fieldErrors, useSubmit } from "../../components/forms";
import { Page } from "../../components/page";
import { Loaded, ProblemMessage, useAction, useLoad } from "../../components/states";
import { href, navigate } from "../../router";

type Service = components["schemas"]["ImputationService"];
type ApiType = Service["api_type"];
type Build = components["schemas"]["GenomeBuild"];
type Probe = components["schemas"]["ProbeOutcome"];

const BUILDS: readonly Build[] = ["hg19", "hg38"];
const KINDS: readonly (readonly [ApiType, string])[] = [
  ["michigan", "Michigan (Cloudgene)"],
  ["ga4gh_wes", "GA4GH WES"],
];

export function NewServicePage(): ReactNode {
  return (
    <Page title="Register a service">
      <ServiceForm service={null} />
    </Page>
  );
}

export function EditServicePage({ id }: { id: string }): ReactNode {
  const [service] = useLoad(() => dataOf(api.GET("/services/{service_id}", { params: { path: { service_id: id } } })), [id]);
  return (
    <Page title={service.state === "loaded" ? `Edit ${service.data.name}` : "Edit a service"}>
      <p>
        <a href={href(`services/${id}`)}>Back to the service</a>
      </p>
      <Loaded load={service} what="the service">
        {(found) => <ServiceForm service={found} />}
      </Loaded>
    </Page>
  );
}

function ServiceForm({ service }: { service: Service | null }): ReactNode {
  const [name, setName] = useState(service?.name ?? "");
  const [slug, setSlug] = useState(service?.slug ?? "");
  const [apiType, setApiType] = useState<ApiType>(service?.api_type ?? "michigan");
  const [baseUrl, setBaseUrl] = useState(service?.base_url ?? "");
  const [institution, setInstitution] = useState(service?.institution ?? "");
  const [description, setDescription] = useState(service?.description ?? "");
  const [city, setCity] = useState(service?.location?.city ?? "");
  const [country, setCountry] = useState(service?.location?.country ?? "");
  const [builds, setBuilds] = useState<readonly Build[]>(service?.supported_builds ?? BUILDS);
  const [requiresToken, setRequiresToken] = useState(service?.requires_user_token ?? false);
  const [active, setActive] = useState(service?.is_active ?? true);
  // the address last tested and what the probe found: saving waits for a test of the address as it is now
  const [tested, setTested] = useState<{ key: string; outcome: Probe } | null>(null);
  const [testProblem, test] = useAction();
  const [testing, setTesting] = useState(false);
  const [busy, problem, submit] = useSubmit();
  const key = `${apiType} ${baseUrl}`;
  const testedNow = tested !== null && tested.key === key;
  const errors = { ...fieldErrors(testProblem), ...fieldErrors(problem) };

  const onTest = () => {
    setTesting(true);
    void test(async () => {
      const outcome = await dataOf(api.POST("/services/test-connection", { body: { api_type: apiType, base_url: baseUrl } }));
      setTested({ key, outcome });
    }).finally(() => setTesting(false));
  };
  const fields = {
    name,
    api_type: apiType,
    base_url: baseUrl,
    institution: institution || null,
    description,
    // coordinates are kept as they are: the form edits the place's name only
    location: { ...(service?.location ?? {}), city: city || null, country: country.toUpperCase() || null },
    supported_builds: [...builds],
    requires_user_token: requiresToken,
    is_active: active,
  };
  const onSubmit = submit(async () => {
    const saved =
      service === null
        ? await dataOf(api.POST("/services", { body: { ...fields, slug } }))
        : await dataOf(api.PATCH("/services/{service_id}", { params: { path: { service_id: service.id } }, body: fields }));
    navigate(`services/${saved.id}`);
  });
  const toggleBuild = (build: Build, on: boolean) =>
    setBuilds((current) => BUILDS.filter((one) => (one === build ? on : current.includes(one))));

  return (
    <form onSubmit={onSubmit} noValidate className="wide">
      <Field label="Name" name="name" value={name} onChange={setName} error={errors.name} />
      {service === null ? (
        <Field label="Slug" name="slug" value={slug} onChange={setSlug} hint="Lower-case letters, digits and single hyphens, e.g. h3africa-imputation." error={errors.slug} />
      ) : null}
      <fieldset>
        <legend>Connection</legend>
        <Select label="Kind" name="api_type" value={apiType} onChange={(chosen) => setApiType(chosen as ApiType)} options={KINDS} error={errors.api_type} />
        <Field
          label="Address"
          name="base_url"
          type="url"
          value={baseUrl}
          onChange={setBaseUrl}
          hint="The service's root URL, e.g. https://impute.example.org or https://wes.example.org/ga4gh/wes/v1."
          error={errors.base_url ?? (testedNow && tested.outcome.status !== "healthy" ? `The test found it ${tested.outcome.status}: ${tested.outcome.error ?? "no reason given"}.` : undefined)}
        />
        <button type="button" className="secondary" disabled={testing} aria-busy={testing} onClick={onTest}>
          {testing ? "Testing…" : "Test connection"}
        </button>
        {testedNow ? <ProbeResult outcome={tested.outcome} /> : null}
        {testProblem && Object.keys(fieldErrors(testProblem)).length === 0 ? <ProblemMessage problem={testProblem} /> : null}
      </fieldset>
      <Field label="Institution" name="institution" value={institution} onChange={setInstitution} required={false} error={errors.institution} />
      <Field label="Description" name="description" value={description} onChange={setDescription} required={false} error={errors.description} />
      <Field label="City" name="city" value={city} onChange={setCity} required={false} error={errors["location.city"]} />
      <Field label="Country" name="country" value={country} onChange={setCountry} required={false} hint="Two letters (ISO 3166), e.g. ZA." error={errors["location.country"]} />
      <fieldset>
        <legend>Genome builds</legend>
        {BUILDS.map((build) => (
          <label key={build} className="check">
            <input type="checkbox" name="supported_builds" checked={builds.includes(build)} onChange={(event) => toggleBuild(build, event.currentTarget.checked)} />
            {build}
          </label>
        ))}
        {errors.supported_builds ? <small className="field-error">{errors.supported_builds}</small> : null}
      </fieldset>
      <label className="check">
        <input type="checkbox" name="requires_user_token" checked={requiresToken} onChange={(event) => setRequiresToken(event.currentTarget.checked)} />
        Researchers run jobs with their own token for this service
      </label>
      <label className="check">
        <input type="checkbox" name="is_active" checked={active} onChange={(event) => setActive(event.currentTarget.checked)} />
        Active (takes jobs)
      </label>
      {problem ? <ProblemMessage problem={problem} /> : null}
      {testedNow ? null : (
        <p className="hint" id="test-first">
          Test the connection to the address as it is now before saving.
        </p>
      )}
      <button type="submit" disabled={busy || !testedNow} aria-busy={busy} {...(testedNow ? {} : { "aria-describedby": "test-first" })}>
        {busy ? "Please wait…" : service === null ? "Register the service" : "Save changes"}
      </button>
    </form>
  );
}

function ProbeResult({ outcome }: { outcome: Probe }): ReactNode {
  const details = outcome.details;
  return (
    <p role="status" className={outcome.status === "healthy" ? "notice" : "problem"} data-testid="probe-result">
      <strong>Connection {outcome.status === "healthy" ? "works" : "failed"}</strong>: {outcome.status}
      {outcome.http_status == null ? "" : `, HTTP ${outcome.http_status}`}
      {outcome.response_time_ms == null ? "" : `, ${Math.round(outcome.response_time_ms)} ms`}
      {details?.api_type === "michigan" ? `; ${details.name ?? "the server"}${details.maintenance ? " is in maintenance" : ""}${details.queue_size == null ? "" : `, ${details.queue_size} jobs in its queue`}` : ""}
      {outcome.error ? ` (${outcome.error})` : ""}. Asked <code>{outcome.checked_url}</code>.
    </p>
  );
}
