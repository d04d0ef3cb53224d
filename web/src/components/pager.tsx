// Paging through a list the API answers a page at a time (limit and offset).
import type { ReactNode } from "react";

/** Previous and next buttons with where the page is, e.g. "26–50 of 73". */
export function Pager({ label, offset, shown, total, size, onGo }: { label: string; offset: number; shown: number; total: number; size: number; onGo: (offset: number) => void }): ReactNode {
  return (
    <nav aria-label={label} className="pager">
      <button type="button" className="secondary" disabled={offset === 0} onClick={() => onGo(Math.max(0, offset - size))}>
        Previous
      </button>
      <span>
        {offset + 1}–{offset + shown} of {total}
      </span>
      <button type="button" className="secondary" disabled={offset + shown >= total} onClick={() => onGo(offset + size)}>
        Next
      </button>
    </nav>
  );
}
