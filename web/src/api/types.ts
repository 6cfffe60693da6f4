/** Names for the generated schemas the dashboard reads (./schema is generated, never edited). */
import type { components } from "./schema";

type Schemas = components["schemas"];
/** Any schema of the OpenAPI document, by its name there: `Schema<"RuleCreate">`. */
export type Schema<Name extends keyof Schemas> = Schemas[Name];

export type User = Schema<"UserOut">;
export type Project = Schema<"ProjectOut">;
export type AuthResponse = Schema<"AuthOut">;

export type Stage = "cold" | "warm" | "hot" | "qualified";
export const STAGES: Stage[] = ["cold", "warm", "hot", "qualified"];

/** A lead as listed; the detail endpoint adds the optional fields (both share a cache key). */
export type Lead = Schema<"LeadListItem"> &
  Partial<Pick<Schema<"LeadRead">, "mergedInto" | "eventCount" | "baseScore">>;
export type LeadPage = Schema<"Page_LeadListItem_">;
export type HistoryRow = Schema<"HistoryRow">;

export type Rule = Schema<"RuleRead">;
export type StageThresholds = Schema<"Stages">;
export type Automation = Schema<"AutomationRead">;
export type AutomationAction = Schema<"AutomationCreate">["action"];
export type Webhook = Schema<"WebhookRead">;
export type WebhookEvent = Schema<"WebhookCreate">["events"][number];
export type FailedJob = Schema<"FailedJobRead">;

/** The Socket.IO frames by event name (published by GET /api/live/frames), and two of them. */
export type LiveFrames = Schema<"LiveFrames">;
export type NewEventFrame = LiveFrames["newEvent"];
export type LeadUpdatedFrame = LiveFrames["leadUpdated"];

/** GET /api/health documents no schema (it answers 503 with the same body when degraded). */
export interface HealthComponent {
  status: string;
  [key: string]: unknown;
}
export interface Health {
  status: string;
  version?: string;
  mode?: string;
  database: HealthComponent;
  redis: HealthComponent;
  worker: HealthComponent;
}
