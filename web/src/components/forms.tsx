// Labelled form fields, a submit button that says when it is busy, and the submit that drives it.
import { useId, useState, type ReactNode, type SyntheticEvent } from "react";
import { asProblem, type Problem } from "../api/client";

interface FieldProps {
  label: string;
  name: string;
  type?: "text" | "email" | "password" | "url" | "datetime-local";
  value: string;
  onChange: (value: string) => void;
  autoComplete?: string;
  required?: boolean;
  hint?: string;
  inputMode?: "numeric" | "email" | "text";
  pattern?: string;
  /** What the platform found wrong with this field (a problem's error at its location), shown next to it. */
  error?: string | undefined;
}

/** The ids a field is described by (its hint, its error), for aria-describedby. */
function describedBy(id: string, hint: string | undefined, error: string | undefined): { "aria-describedby"?: string } {
  const ids = [hint === undefined ? "" : `${id}-hint`, error === undefined ? "" : `${id}-error`].filter(Boolean).join(" ");
  return ids ? { "aria-describedby": ids } : {};
}

/** A field's error, next to it. */
function FieldError({ id, error }: { id: string; error: string | undefined }): ReactNode {
  return error === undefined ? null : (
    <small id={`${id}-error`} className="field-error">
      {error}
    </small>
  );
}

export function Field({ label, name, type = "text", value, onChange, autoComplete, required = true, hint, inputMode, pattern, error }: FieldProps): ReactNode {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        required={required}
        onChange={(event) => onChange(event.currentTarget.value)}
        {...(autoComplete === undefined ? {} : { autoComplete })}
        {...(inputMode === undefined ? {} : { inputMode })}
        {...(pattern === undefined ? {} : { pattern })}
        {...describedBy(id, hint, error)}
        {...(error === undefined ? {} : { "aria-invalid": true })}
      />
      {hint === undefined ? null : (
        <small id={hintId} className="hint">
          {hint}
        </small>
      )}
      <FieldError id={id} error={error} />
    </div>
  );
}

/** A list of ids with one ticked in or out. */
export function toggled(ids: readonly string[], id: string, on: boolean): string[] {
  return on ? [...ids, id] : ids.filter((other) => other !== id);
}

export function Submit({ busy, children }: { busy: boolean; children: ReactNode }): ReactNode {
  return (
    <button type="submit" disabled={busy} aria-busy={busy}>
      {busy ? "Please wait…" : children}
    </button>
  );
}

/** A form's submit: busy while it runs, the problem it throws shown when it fails. */
export function useSubmit(): [boolean, Problem | null, (run: () => Promise<void>) => (event: SyntheticEvent) => void] {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const submit = (run: () => Promise<void>) => (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    run()
      .then(
        () => null,
        (failure: unknown) => asProblem(failure),
      )
      .then((found) => {
        setProblem(found);
        setBusy(false);
      });
  };
  return [busy, problem, submit];
}

/** A problem's message for each field it names, by the field's name (`body.base_url` → `base_url`;
 * `body.location.city` → `location.city`), to show next to the field. */
export function fieldErrors(problem: Problem | null): Record<string, string> {
  const found: Record<string, string> = {};
  for (const error of problem?.errors ?? []) {
    const name = error.location.replace(/^body\.?/, "");
    found[name] = found[name] ? `${found[name]}; ${error.message}` : error.message;
  }
  return found;
}


interface SelectProps {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  /** Each option's value and the text shown for it. */
  options: readonly (readonly [string, string])[];
  hint?: string;
  disabled?: boolean;
  error?: string | undefined;
}

/** A labelled drop-down list. */
export function Select({ label, name, value, onChange, options, hint, disabled = false, error }: SelectProps): ReactNode {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        value={value}
        disabled={disabled}
        onChange={(event) => onChange(event.currentTarget.value)}
        {...describedBy(id, hint, error)}
        {...(error === undefined ? {} : { "aria-invalid": true })}
      >
        {options.map(([option, text]) => (
          <option key={option} value={option}>
            {text}
          </option>
        ))}
      </select>
      {hint === undefined ? null : (
        <small id={hintId} className="hint">
          {hint}
        </small>
      )}
      <FieldError id={id} error={error} />
    </div>
  );
}
