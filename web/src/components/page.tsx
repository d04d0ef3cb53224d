// A page's frame: its heading, focused when the page shows, so keyboard and screen-reader users
// start at the new content after navigating.
import { useEffect, useRef, type ReactNode } from "react";

export function Page({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }): ReactNode {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Federated Imputation Platform`;
    heading.current?.focus();
  }, [title]);
  return (
    <section aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1} ref={heading}>
          {title}
        </h1>
        {actions}
      </div>
      {children}
    </section>
  );
}
