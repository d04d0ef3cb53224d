// The console's tables, all of one shape: a caption, a heading row of column headings, then the rows the
// page writes itself. Written once here so that every table keeps the caption and `scope="col"` headings
// screen readers need, and a page only says what differs.
import type { ReactNode } from "react";

type TableProps = {
  caption: ReactNode;
  /** The caption is left to screen readers, where the page's own heading already names the table. */
  hiddenCaption?: boolean;
  /** The column headings, in order. */
  columns: readonly ReactNode[];
  className?: string;
  /** Set as the table's `data-testid`. */
  testId?: string;
  /** The body's rows. */
  children: ReactNode;
};

/** A table with its caption, one `scope="col"` heading per column, and the rows a page writes. */
export function Table({ caption, hiddenCaption = false, columns, className, testId, children }: TableProps): ReactNode {
  // An attribute whose value is undefined is left out, so a table with no class, test id or hidden caption
  // renders as plain `<table>` and `<caption>`, just as the pages wrote them by hand.
  return (
    <table className={className} data-testid={testId}>
      <caption className={hiddenCaption ? "visually-hidden" : undefined}>{caption}</caption>
      <thead>
        <tr>
          {columns.map((column, index) => (
            // The headings are fixed in number and order for a table, so a heading's place is its key.
            <th key={index} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
