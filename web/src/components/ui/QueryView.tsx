/** What every list and panel shows while its query loads, fails or comes back empty. */
import type { HTMLAttributes, ReactNode } from "react";
import { Card, ErrorState, Loading } from "./primitives";

/** The part of a TanStack Query result these views read. */
export interface QueryLike<T> {
  data: T | undefined;
  error: unknown;
  isPending: boolean;
  refetch: () => unknown;
}

const isEmptyList = (data: unknown) => Array.isArray(data) && data.length === 0;

/** Loading → spinner; error → the API's message with Retry; empty → `empty`; else `children(data)`. */
export function QueryView<T>({
  query,
  empty,
  isEmpty = isEmptyList,
  loadingLabel,
  children,
}: {
  query: QueryLike<T>;
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  loadingLabel?: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading label={loadingLabel} />;
  if (query.error || query.data === undefined) {
    return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  }
  if (empty !== undefined && isEmpty(query.data)) return <>{empty}</>;
  return <>{children(query.data)}</>;
}

type ItemProps = HTMLAttributes<HTMLLIElement> & { "data-testid"?: string };

/** A divided list of items, one line each: what it is on the left, its state on the right. */
export function ItemList<T>({
  items,
  itemKey,
  itemProps,
  children,
}: {
  items: T[];
  itemKey: (item: T) => string | number;
  itemProps?: ItemProps;
  children: (item: T) => ReactNode;
}) {
  return (
    <ul className="divide-y divide-slate-100 dark:divide-slate-800">
      {items.map((item) => (
        <li key={itemKey(item)} className="flex items-center justify-between gap-3 px-5 py-3 text-sm" {...itemProps}>
          {children(item)}
        </li>
      ))}
    </ul>
  );
}

/** A card holding a list fed by a query (items keyed by id): loading, error and empty states included. */
export function ListCard<T extends { id: number }>({
  title,
  action,
  query,
  empty,
  className,
  children,
}: {
  title: ReactNode;
  action?: ReactNode;
  query: QueryLike<T[]>;
  empty: ReactNode;
  className?: string;
  children: (item: T) => ReactNode;
}) {
  return (
    <Card title={title} action={action} bodyClassName="" className={className}>
      <QueryView query={query} empty={empty}>
        {(items) => (
          <ItemList items={items} itemKey={(item) => item.id}>
            {children}
          </ItemList>
        )}
      </QueryView>
    </Card>
  );
}
