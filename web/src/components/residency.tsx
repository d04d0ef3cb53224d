// Where genotype data may go: the rules of a residency policy (the platform's, set by admins, and each
// file's narrowing of it, set by its owner) read as sentences, and the form that edits them. An empty
// list leaves that axis unrestricted, which the form says in so many words.
import { useId, useState, type ReactNode } from "react";
import type { Problem } from "../api/client";
import type { components } from "../api/schema";
import { Field, Submit, toggled, useSubmit } from "./forms";
import { ProblemMessage } from "./states";

type Service = components["schemas"]["ImputationService"];

export interface Rules {
  allowed_countries: readonly string[];
  allowed_services: readonly string[];
}

/** The codes typed in a countries field ("za, NG ZA") as the API takes them: capitals, each once. */
export function countriesOf(text: string): string[] {
  const codes = text.split(/[\s,;]+/).map((code) => code.trim().toUpperCase()).filter(Boolean);
  return [...new Set(codes)];
}

/** A service's name for a rule, or its id when it is no longer listed. */
function serviceName(id: string, services: readonly Service[]): string {
  return services.find((service) => service.id === id)?.name ?? id;
}

/** The rules as two sentences' worth of words, for a page or a file's row. */
export function RulesText({ rules, services, empty }: { rules: Rules; services: readonly Service[]; empty: string }): ReactNode {
  return (
    <dl className="rules">
      <dt>Countries</dt>
      <dd data-testid="rule-countries">{rules.allowed_countries.length ? rules.allowed_countries.join(", ") : empty}</dd>
      <dt>Services</dt>
      <dd data-testid="rule-services">{rules.allowed_services.length ? rules.allowed_services.map((id) => serviceName(id, services)).join(", ") : empty}</dd>
    </dl>
  );
}

/** Whether a service passes the rules (a list left empty passes every service; a country rule never
 * passes a service with no country recorded), as the jobs domain holds a job to them. */
function passes(service: Service, rules: Rules): boolean {
  const country = service.location?.country ?? null;
  const byCountry = rules.allowed_countries.length === 0 || (country !== null && rules.allowed_countries.includes(country));
  return byCountry && (rules.allowed_services.length === 0 || rules.allowed_services.includes(service.id));
}

/** The registered services every one of these rules lets data go to, named in a sentence. */
export function ServicesAllowed({ rules, services }: { rules: readonly Rules[]; services: readonly Service[] }): ReactNode {
  const allowed = services.filter((service) => rules.every((one) => passes(service, one)));
  return (
    <p data-testid="services-allowed">
      {allowed.length === 0
        ? "No registered service passes these rules now: a job with this data would be refused."
        : `Services that may take it now: ${allowed.map((service) => service.name).join(", ")}.`}
    </p>
  );
}

/** A problem's messages for the fields under `name` (`allowed_countries.1` → `allowed_countries`). */
function errorsUnder(problem: Problem | null, name: string): string | undefined {
  const messages = (problem?.errors ?? [])
    .filter((error) => {
      const at = error.location.replace(/^body\.?/, "");
      return at === name || at.startsWith(`${name}.`);
    })
    .map((error) => error.message);
  return messages.length ? messages.join("; ") : undefined;
}

interface RulesFormProps {
  /** What the form edits, in its accessible name and its button ("the platform's policy", "survey.vcf.gz"). */
  what: string;
  initial: Rules;
  services: readonly Service[];
  /** Saves the rules; throws the platform's problem when it refuses them. */
  onSave: (rules: { allowed_countries: string[]; allowed_services: string[] }) => Promise<void>;
  /** Said under the countries field: what an empty list means here. */
  emptyMeans: string;
}

export function RulesForm({ what, initial, services, onSave, emptyMeans }: RulesFormProps): ReactNode {
  const id = useId();
  const [countries, setCountries] = useState(initial.allowed_countries.join(", "));
  const [chosen, setChosen] = useState<string[]>([...initial.allowed_services]);
  const [saved, setSaved] = useState(false);
  const [busy, problem, submit] = useSubmit();
  const servicesError = errorsUnder(problem, "allowed_services");
  const onSubmit = submit(async () => {
    setSaved(false);
    await onSave({ allowed_countries: countriesOf(countries), allowed_services: chosen });
    setSaved(true);
  });
  return (
    <form onSubmit={onSubmit} noValidate aria-label={`Where ${what} may go`} className="rules-form">
      <Field
        label="Countries (ISO 3166-1 codes, e.g. ZA, NG)"
        name="allowed_countries"
        value={countries}
        onChange={(value) => {
          setCountries(value);
          setSaved(false);
        }}
        required={false}
        hint={`Two capital letters per country, separated by commas. ${emptyMeans}`}
        error={errorsUnder(problem, "allowed_countries")}
      />
      <fieldset aria-describedby={servicesError === undefined ? `${id}-services-hint` : `${id}-services-hint ${id}-services-error`}>
        <legend>Services</legend>
        {services.length === 0 ? <p className="muted">No service is registered yet.</p> : null}
        {services.map((service) => (
          <label key={service.id} className="check">
            <input
              type="checkbox"
              name="allowed_services"
              value={service.id}
              checked={chosen.includes(service.id)}
              onChange={(event) => {
                setChosen(toggled(chosen, service.id, event.currentTarget.checked));
                setSaved(false);
              }}
            />
            {service.name}
            <span className="muted"> ({service.location?.country ?? "no country recorded"})</span>
          </label>
        ))}
        <small id={`${id}-services-hint`} className="hint">
          None ticked: any service (within the countries above).
        </small>
        {servicesError === undefined ? null : (
          <small id={`${id}-services-error`} className="field-error">
            {servicesError}
          </small>
        )}
      </fieldset>
      {problem ? <ProblemMessage problem={problem} /> : null}
      {saved ? (
        <p role="status" className="saved">
          Saved.
        </p>
      ) : null}
      <Submit busy={busy}>Save where {what} may go</Submit>
    </form>
  );
}
