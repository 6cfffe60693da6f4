/** The one table of the dashboard: columns describe header and cell; rows come typed. */
import { Fragment, type HTMLAttributes, type ReactNode } from "react";

export interface Column<T> {
  /** Header text (also the React key); `header` replaces the whole header cell, e.g. to sort. */
  title: string;
  header?: ReactNode;
  /** Classes of both the header and the body cells (alignment, responsive hiding). */
  className?: string;
  /** Extra classes of the body cells only. */
  cellClassName?: string;
  cell: (row: T) => ReactNode;
}

type RowProps = HTMLAttributes<HTMLTableRowElement> & { "data-testid"?: string };

export function Th({
  children,
  className = "",
  sort,
}: {
  children?: ReactNode;
  className?: string;
  sort?: "ascending" | "descending" | "none";
}) {
  return (
    <th
      scope="col"
      aria-sort={sort}
      className={`px-4 py-2.5 text-left text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400 ${className}`}
    >
      {children}
    </th>
  );
}

export function Td({ children, className = "" }: { children?: ReactNode; className?: string }) {
  return <td className={`px-4 py-3 text-sm whitespace-nowrap ${className}`}>{children}</td>;
}

/** A column with no header text: the row's buttons. */
export function actionsColumn<T>(cell: (row: T) => ReactNode): Column<T> {
  return {
    title: "Actions",
    header: (
      <Th>
        <span className="sr-only">Actions</span>
      </Th>
    ),
    className: "text-right",
    cell,
  };
}

export function DataTable<T>({
  rows,
  columns,
  rowKey,
  rowProps,
  bodyProps,
  className = "",
}: {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string | number;
  rowProps?: (row: T) => RowProps;
  bodyProps?: HTMLAttributes<HTMLTableSectionElement>;
  className?: string;
}) {
  return (
    <div className={`overflow-x-auto ${className}`}>
      <table className="min-w-full divide-y divide-slate-100 dark:divide-slate-800">
        <thead className="bg-slate-50/60 dark:bg-slate-900">
          <tr>
            {columns.map((column) => (
              <Fragment key={column.title}>
                {column.header ?? <Th className={column.className}>{column.title}</Th>}
              </Fragment>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800" {...bodyProps}>
          {rows.map((row) => (
            <tr key={rowKey(row)} {...rowProps?.(row)}>
              {columns.map((column) => (
                <Td key={column.title} className={`${column.className ?? ""} ${column.cellClassName ?? ""}`}>
                  {column.cell(row)}
                </Td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
