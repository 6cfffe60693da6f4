import type { StageThresholds } from "../../api/types";

/** Client-side checks mirroring the server's: non-negative integers, warm < hot < qualified. */
export function validateThresholds(t: StageThresholds): Partial<Record<keyof StageThresholds, string>> {
  const errors: Partial<Record<keyof StageThresholds, string>> = {};
  for (const key of ["warm", "hot", "qualified"] as const) {
    if (!Number.isInteger(t[key]) || t[key] < 1 || t[key] > 10_000)
      errors[key] = "Enter a whole number from 1 to 10,000";
  }
  if (!errors.hot && !errors.warm && t.hot <= t.warm) errors.hot = "Must be above the warm threshold";
  if (!errors.qualified && !errors.hot && t.qualified <= t.hot) errors.qualified = "Must be above the hot threshold";
  return errors;
}

export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_.:-]{0,63}$/i;

export function validateRule(r: { name: string; eventType: string; points: number }): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!r.name.trim()) errors.name = "Name is required";
  if (!EVENT_TYPE_PATTERN.test(r.eventType.trim()))
    errors.eventType = "Letters, digits and _ . : - (starts with a letter)";
  if (!Number.isInteger(r.points) || Math.abs(r.points) > 10_000) errors.points = "Whole number from −10,000 to 10,000";
  return errors;
}

export function rescorePercent(job: { total: number; done: number } | undefined): number {
  if (!job || job.total <= 0) return job && job.total === 0 ? 100 : 0;
  return Math.min(100, Math.round((job.done / job.total) * 100));
}
