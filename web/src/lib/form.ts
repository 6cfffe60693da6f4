/** Form state: values as typed, and the error of each field (the API's, then local checks). */
import { useState } from "react";
import { fieldErrors } from "./problem";

/** What `field(name)` gives a text input. */
export interface FieldProps {
  value: string;
  error: string | undefined;
  onChange: (e: { target: { value: string } }) => void;
}

type TextKeys<F> = { [K in keyof F]: F[K] extends string ? K : never }[keyof F] & string;

/**
 * `field(name)` gives a text input its value, its error and its change handler; `check`
 * records local validation (an empty result means the values may be sent).
 */
export function useForm<F extends object>(initial: F | (() => F), serverError: unknown) {
  const [values, setValues] = useState<F>(initial);
  const [local, setLocal] = useState<Record<string, string>>({});
  const errors: Record<string, string | undefined> = { ...fieldErrors(serverError), ...local };
  const set = <K extends keyof F>(name: K, value: F[K]) => setValues((v) => ({ ...v, [name]: value }));
  const field = <K extends TextKeys<F>>(name: K): FieldProps => ({
    value: values[name] as string,
    error: errors[name],
    onChange: (e: { target: { value: string } }) => set(name, e.target.value as F[K]),
  });
  const check = (problems: Record<string, string | undefined>) => {
    const found = Object.fromEntries(Object.entries(problems).filter(([, v]) => v)) as Record<string, string>;
    setLocal(found);
    return Object.keys(found).length === 0;
  };
  return { values, set, errors, field, check };
}
