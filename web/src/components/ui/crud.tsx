/**
 * The CRUD pattern every resource page follows (scoring rules, automations, webhooks): one
 * table with an Active switch, Edit and Delete per row; one `FormDialog` to create or edit;
 * one confirmation before deleting. A feature supplies its typed API calls and its columns.
 */
import { useMutation, useQueryClient, type QueryKey, type UseMutationResult } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { errorMessage } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { actionsColumn, DataTable, type Column } from "./DataTable";
import { ConfirmDialog } from "./Dialog";
import { Button, Card, Toggle } from "./primitives";
import { QueryView, type QueryLike } from "./QueryView";

/** The typed API calls of one resource. */
export interface CrudCalls<Create, Update, Created, Updated> {
  create: (body: Create) => Promise<Created>;
  update: (id: number, body: Update) => Promise<Updated>;
  remove: (id: number) => Promise<unknown>;
}

/** What a form submits: a new item's body, or an existing item's id and changes. */
export type SaveVariables<Create, Update> = { id?: undefined; body: Create } | { id: number; body: Update };

/** The mutation of a create/edit form (one per mounted form: its error is the form's). */
export function useSaveMutation<Create, Update, Created, Updated>(
  key: QueryKey,
  calls: CrudCalls<Create, Update, Created, Updated>,
) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (v: SaveVariables<Create, Update>): Promise<Created | Updated> =>
      v.id === undefined ? calls.create(v.body) : calls.update(v.id, v.body),
    onSuccess: () => void client.invalidateQueries({ queryKey: key }),
  });
}

export interface RowMutations {
  toggle: (row: Row, active: boolean) => void;
  remove: UseMutationResult<unknown, Error, number>;
}

/**
 * The row mutations of a resource list: the Active switch (PATCH `{active}`; an error is a
 * toast, and so is success when `toggled` names it) and delete.
 */
export function useRowMutations<Create, Update extends { active?: boolean | null }, Created, Updated>(
  key: QueryKey,
  calls: CrudCalls<Create, Update, Created, Updated>,
  toggled?: (active: boolean) => string,
): RowMutations {
  const client = useQueryClient();
  const toast = useToast();
  const onSuccess = () => void client.invalidateQueries({ queryKey: key });
  const update = useMutation({
    mutationFn: (v: { id: number; body: Update }) => calls.update(v.id, v.body),
    onSuccess,
  });
  const remove = useMutation({ mutationFn: calls.remove, onSuccess });
  const toggle = (row: Row, active: boolean) =>
    update.mutate(
      { id: row.id, body: { active } as Update },
      {
        onSuccess: () => toggled && toast.success(toggled(active)),
        onError: (e) => toast.error(errorMessage(e)),
      },
    );
  return { toggle, remove };
}

/** Which item the form edits (`{}`: a new one) and which item awaits delete confirmation. */
function useCrudState<T>() {
  const [editing, setEditing] = useState<{ item?: T } | null>(null);
  const [deleting, setDeleting] = useState<T | null>(null);
  return {
    editing,
    deleting,
    create: () => setEditing({}),
    edit: (item: T) => setEditing({ item }),
    closeForm: () => setEditing(null),
    askDelete: (item: T) => setDeleting(item),
    closeDelete: () => setDeleting(null),
  };
}

type CrudState<T> = ReturnType<typeof useCrudState<T>>;

interface Row {
  id: number;
  active: boolean;
}

/** How a feature's resource looks in the list: its columns, its name, its texts. */
export interface CrudResource<T extends Row> {
  /** "rule", "automation": the dialogs say "New rule", "Delete rule?", "Rule deleted". */
  noun: string;
  columns: Column<T>[];
  /** How a row is called in its buttons' labels: "Edit <name>", "Delete <name>". */
  name: (row: T) => string;
  /** The Active switch's label (default "Toggle <name>"). */
  toggleLabel?: (row: T) => string;
  empty: ReactNode;
  /** What deleting the row means, said in the confirmation. */
  deleteMessage: (row: T) => ReactNode;
  deleteLabel?: string;
  /** The create (`initial` undefined) or edit dialog. */
  form: (initial: T | undefined, close: () => void) => ReactNode;
}

function RowButtons<T extends Row>({ row, name, crud }: { row: T; name: string; crud: CrudState<T> }) {
  return (
    <>
      <Button size="sm" variant="ghost" onClick={() => crud.edit(row)} aria-label={`Edit ${name}`}>
        Edit
      </Button>
      <Button size="sm" variant="ghost" onClick={() => crud.askDelete(row)} aria-label={`Delete ${name}`}>
        Delete
      </Button>
    </>
  );
}

/**
 * The card of a CRUD page: "New <noun>" in its header; the feature's columns, then Active,
 * then Edit / Delete (after any `extraActions`); the feature's form dialog to create or edit;
 * the delete confirmation.
 */
export function CrudCard<T extends Row>({
  title,
  className,
  resource,
  query,
  rows,
  extraActions,
  rowProps,
  onDeleted,
}: {
  title: string;
  className?: string;
  resource: CrudResource<T>;
  query: QueryLike<T[]>;
  rows: RowMutations;
  extraActions?: (row: T) => ReactNode;
  rowProps?: (row: T) => { className?: string; "data-testid"?: string };
  onDeleted?: () => void;
}) {
  const crud = useCrudState<T>();
  const { name, toggleLabel = (row: T) => `Toggle ${name(row)}` } = resource;
  const columns: Column<T>[] = [
    ...resource.columns,
    {
      title: "Active",
      cell: (row) => <Toggle checked={row.active} label={toggleLabel(row)} onChange={(on) => rows.toggle(row, on)} />,
    },
    actionsColumn((row) => (
      <>
        {extraActions?.(row)}
        <RowButtons row={row} name={name(row)} crud={crud} />
      </>
    )),
  ];
  const create = (
    <Button size="sm" onClick={crud.create}>
      New {resource.noun}
    </Button>
  );
  return (
    <Card title={title} bodyClassName="" className={className} action={create}>
      <QueryView query={query} empty={resource.empty}>
        {(items) => <DataTable rows={items} columns={columns} rowKey={(row) => row.id} rowProps={rowProps} />}
      </QueryView>
      {crud.editing && resource.form(crud.editing.item, crud.closeForm)}
      <DeleteDialog resource={resource} item={crud.deleting} remove={rows.remove} crud={crud} onDeleted={onDeleted} />
    </Card>
  );
}

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Ask before deleting; on success say so, close, and call `onDeleted`. */
function DeleteDialog<T extends Row>({
  resource,
  item,
  remove,
  crud,
  onDeleted,
}: {
  resource: CrudResource<T>;
  item: T | null;
  remove: UseMutationResult<unknown, Error, number>;
  crud: CrudState<T>;
  onDeleted?: () => void;
}) {
  const toast = useToast();
  if (!item) return null;
  const confirm = () =>
    remove.mutate(item.id, {
      onSuccess: () => {
        toast.success(`${capitalized(resource.noun)} deleted`);
        crud.closeDelete();
        onDeleted?.();
      },
      onError: (e) => toast.error(errorMessage(e)),
    });
  return (
    <ConfirmDialog
      title={`Delete ${resource.noun}?`}
      message={resource.deleteMessage(item)}
      confirmLabel={resource.deleteLabel ?? "Delete"}
      busy={remove.isPending}
      onCancel={crud.closeDelete}
      onConfirm={confirm}
    />
  );
}
