// Labelled form fields, a submit button that says when it is busy, and the submit that drives it.
import { useId, useState, type ReactNode, type SyntheticEvent } from "react";
import { asProblem, type Problem } from "../api/client";

interface FieldProps {
  label: string;
  name: string;
  type?: "text" | "email" | "password";
  value: string;
  onChange: (value: string) => void;
  autoComplete?: string;
  required?: boolean;
  hint?: string;
  inputMode?: "numeric" | "email" | "text";
  pattern?: string;
}

export function Field({ label, name, type = "text", value, onChange, autoComplete, required = true, hint, inputMode, pattern }: FieldProps): ReactNode {
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
        {...(hint === undefined ? {} : { "aria-describedby": hintId })}
      />
      {hint === undefined ? null : (
        <small id={hintId} className="hint">
          {hint}
        </small>
      )}
    </div>
  );
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


interface SelectProps {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  /** Each option's value and the text shown for it. */
  options: readonly (readonly [string, string])[];
  hint?: string;
  disabled?: boolean;
}

/** A labelled drop-down list. */
export function Select({ label, name, value, onChange, options, hint, disabled = false }: SelectProps): ReactNode {
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
        {...(hint === undefined ? {} : { "aria-describedby": hintId })}
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
    </div>
  );
}
