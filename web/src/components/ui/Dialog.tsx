/** Overlays: a modal frame, the one form dialog every create/edit form uses, confirm, drawer. */
import { useEffect, useRef, type FormEvent, type ReactNode } from "react";
import { errorMessage, fieldErrors } from "../../lib/problem";
import { Button } from "./primitives";

function useEscape(onClose: () => void) {
  useEffect(() => {
    const handler = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
    };
    window.addEventListener("keydown", handler);
    return () => window.removeEventListener("keydown", handler);
  }, [onClose]);
}

/** A centred dialog; its children are a `DialogBody` and, optionally, a `DialogFooter`. */
export function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  useEscape(onClose);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.querySelector<HTMLElement>("input,select,textarea,button")?.focus(), []);
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center p-4">
      <div className="absolute inset-0 bg-slate-950/50 backdrop-blur-[1px]" onClick={onClose} aria-hidden="true" />
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        className="animate-fade-in relative w-full max-w-lg rounded-xl bg-white shadow-xl ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
      >
        <div className="border-b border-slate-100 px-5 py-4 dark:border-slate-800">
          <h2 className="text-base font-semibold">{title}</h2>
        </div>
        {children}
      </div>
    </div>
  );
}

export function DialogBody({ children, className = "" }: { children: ReactNode; className?: string }) {
  return <div className={`max-h-[70vh] overflow-y-auto px-5 py-4 ${className}`}>{children}</div>;
}

export function DialogFooter({ children }: { children: ReactNode }) {
  return (
    <div className="flex justify-end gap-2 border-t border-slate-100 px-5 py-3 dark:border-slate-800">{children}</div>
  );
}

/**
 * The create/edit form of every CRUD page: "New <noun>" / "Edit <noun>", the fields, the API's
 * error when no field shows it, Cancel and submit ("Create" / "Save", which also names the form).
 */
export function FormDialog({
  noun,
  editing,
  save,
  onSubmit,
  onClose,
  children,
}: {
  noun: string;
  editing: boolean;
  /** The form's mutation: busy while pending; its error's fields are shown by the fields. */
  save: { isPending: boolean; error: unknown };
  onSubmit: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  const label = editing ? "Save" : "Create";
  const unplaced = !!save.error && Object.keys(fieldErrors(save.error)).length === 0;
  return (
    <Modal title={`${editing ? "Edit" : "New"} ${noun}`} onClose={onClose}>
      <form onSubmit={submit} aria-label={label} noValidate>
        <DialogBody className="space-y-4">
          {children}
          {unplaced && <p className="text-sm text-rose-700 dark:text-rose-400">{errorMessage(save.error)}</p>}
        </DialogBody>
        <DialogFooter>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" busy={save.isPending}>
            {label}
          </Button>
        </DialogFooter>
      </form>
    </Modal>
  );
}

export function ConfirmDialog({
  title,
  message,
  confirmLabel,
  onConfirm,
  onCancel,
  busy,
}: {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
}) {
  return (
    <Modal title={title} onClose={onCancel}>
      <DialogBody>
        <div className="text-sm text-slate-600 dark:text-slate-300">{message}</div>
      </DialogBody>
      <DialogFooter>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button variant="danger" onClick={onConfirm} busy={busy}>
          {confirmLabel}
        </Button>
      </DialogFooter>
    </Modal>
  );
}

export function Drawer({
  title,
  onClose,
  children,
  subtitle,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  onClose: () => void;
  children: ReactNode;
}) {
  useEscape(onClose);
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div className="fixed inset-0 z-40 flex justify-end">
      <div className="absolute inset-0 bg-slate-950/40" onClick={onClose} aria-hidden="true" />
      <aside
        role="dialog"
        aria-modal="true"
        aria-label="Lead details"
        className="animate-slide-in relative flex h-full w-full max-w-2xl flex-col bg-white shadow-2xl dark:bg-slate-900"
      >
        <div className="flex items-start justify-between gap-4 border-b border-slate-200 px-6 py-4 dark:border-slate-800">
          <div className="min-w-0">
            <h2 className="truncate text-lg font-semibold">{title}</h2>
            {subtitle && <div className="mt-0.5 text-sm text-slate-500 dark:text-slate-400">{subtitle}</div>}
          </div>
          <Button ref={ref} variant="ghost" size="sm" onClick={onClose} aria-label="Close">
            ✕
          </Button>
        </div>
        <div className="flex-1 overflow-y-auto px-6 py-5">{children}</div>
      </aside>
    </div>
  );
}
