// A button that asks "are you sure?" in the page before it acts (cancel a job, revoke a role, disable
// an account): keyboard focus goes to the answer when asked, and back to the button when kept.
import { useEffect, useRef, useState, type ReactNode } from "react";

interface ConfirmedProps {
  label: string;
  question: string;
  confirm: string;
  keep: string;
  onConfirm: () => Promise<void>;
}

/** A button that asks first, in the page (keyboard focus goes to the answer and back). */
export function Confirmed({ label, question, confirm, keep, onConfirm }: ConfirmedProps): ReactNode {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  useEffect(() => {
    // focus to the answer when asked, and back to the button when the person keeps the job as it is
    if (asking) yes.current?.focus();
    else if (asked.current) opener.current?.focus();
    asked.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" ref={opener} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <div role="group" aria-label={label} className="confirm">
      <p>{question}</p>
      <button
        type="button"
        ref={yes}
        disabled={busy}
        aria-busy={busy}
        onClick={() => {
          setBusy(true);
          void onConfirm().finally(() => {
            setBusy(false);
            setAsking(false);
          });
        }}
      >
        {confirm}
      </button>{" "}
      <button type="button" className="secondary" disabled={busy} onClick={() => setAsking(false)}>
        {keep}
      </button>
    </div>
  );
}
