// Labelled form fields and a submit button that says when it is busy.
import { useId, type ReactNode } from "react";

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
