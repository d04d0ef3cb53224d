// Loading, empty and error states, the same on every page.
import { useCallback, useEffect, useState, type ReactNode } from "react";
import { asProblem, type Problem } from "../api/client";

/** A problem as the person reads it: its detail (or title), the fields it names, and its reference. */
export function ProblemMessage({ problem }: { problem: Problem }): ReactNode {
  return (
    <div className="problem" role="alert">
      <p>
        <strong>{problem.title}</strong>
        {problem.detail ? `: ${problem.detail}` : ""}
      </p>
      {problem.errors && problem.errors.length > 0 ? (
        <ul>
          {problem.errors.map((error) => (
            <li key={`${error.location}:${error.message}`}>
              <code>{error.location}</code>: {error.message}
            </li>
          ))}
        </ul>
      ) : null}
      {problem.correlation_id ? <p className="muted">Reference: {problem.correlation_id}</p> : null}
    </div>
  );
}

export function Loading({ what }: { what: string }): ReactNode {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }): ReactNode {
  return <p className="empty">{children}</p>;
}

export type Load<T> =
  | { state: "loading" }
  | { state: "failed"; problem: Problem }
  | { state: "loaded"; data: T };

/** Load something when the page shows and on `reload()`; its state is one of the three above. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): [Load<T>, () => void] {
  const [state, setState] = useState<Load<T>>({ state: "loading" });
  const [generation, setGeneration] = useState(0);
  const run = useCallback(load, deps);
  useEffect(() => {
    let current = true;
    run().then(
      (data) => current && setState({ state: "loaded", data }),
      (failure: unknown) => current && setState({ state: "failed", problem: asProblem(failure) }),
    );
    return () => {
      current = false;
    };
  }, [run, generation]);
  return [state, () => setGeneration((value) => value + 1)];
}

/** A loaded value's view, or its loading or error state. */
export function Loaded<T>({ load, what, children }: { load: Load<T>; what: string; children: (data: T) => ReactNode }): ReactNode {
  if (load.state === "loading") return <Loading what={what} />;
  if (load.state === "failed") return <ProblemMessage problem={load.problem} />;
  return children(load.data);
}

/** Ask again after `everyMs` while `active`, each time `version` (the last answer) changes; stops when
 * it is no longer active or the page is left. */
export function useRefresh(active: boolean, reload: () => void, everyMs: number, version: unknown): void {
  useEffect(() => {
    if (!active) return undefined;
    const timer = window.setTimeout(reload, everyMs);
    return () => window.clearTimeout(timer);
  }, [active, version]);
}

/** An action a button starts (not a form's submit): the problem it fails with, shown by the caller. */
export function useAction(): [Problem | null, (run: () => Promise<unknown>) => Promise<void>] {
  const [problem, setProblem] = useState<Problem | null>(null);
  const act = async (run: () => Promise<unknown>) => {
    setProblem(null);
    try {
      await run();
    } catch (failure) {
      setProblem(asProblem(failure));
    }
  };
  return [problem, act];
}
