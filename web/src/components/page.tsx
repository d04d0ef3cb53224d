// A page's frame: its heading, focused when the page shows, so keyboard and screen-reader users
// start at the new content after navigating.
import { useLayoutEffect, useRef, type ReactNode } from "react";

export function Page({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }): ReactNode {
  const heading = useRef<HTMLHeadingElement>(null);
  const section = useRef<HTMLElement>(null);
  // a layout effect runs as the page is put in the document, before anybody can type in it (an effect
  // runs after paint, late on a busy machine, and took the focus from a field already being typed in);
  // and a person already inside the page keeps their place
  useLayoutEffect(() => {
    document.title = `${title} · Federated Imputation Platform`;
    if (!section.current?.contains(document.activeElement)) heading.current?.focus();
  }, [title]);
  return (
    <section aria-labelledby="page-title" ref={section}>
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
