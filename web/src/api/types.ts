/** Shapes of API resources the dashboard reads. Generated types come from ./schema. */
import type { components } from "./schema";

type Schemas = components["schemas"];
export type User = Schemas["UserOut"];
export type Project = Schemas["ProjectOut"];
export type AuthResponse = Schemas["AuthOut"];

export type Stage = "cold" | "warm" | "hot" | "qualified";
export const STAGES: Stage[] = ["cold", "warm", "hot", "qualified"];

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

type LeadRead = Schemas["LeadRead"];
/** A lead as listed; the detail endpoint adds the optional fields. */
export type Lead = Schemas["LeadListItem"] & Partial<Pick<LeadRead, "mergedInto" | "eventCount" | "baseScore">>;
export type TimelineEvent = Schemas["TimelineEvent"];
export type TimelineSession = Schemas["TimelineSession"];
export type HistoryRow = Schemas["HistoryRow"];
export type Intelligence = Schemas["IntelligenceRead"];
export type EventItem = Schemas["EventRead"] & { anonymousId?: string | null };
export type Rule = Schemas["RuleRead"];
export type StageThresholds = Pick<Schemas["Stages"], "warm" | "hot" | "qualified">;
export type RescoreJob = Schemas["RescoreRead"];
export type AutomationAction = Schemas["AutomationCreate"]["action"];
export type Automation = Schemas["AutomationRead"];
export type AutomationExecution = Schemas["ExecutionRead"] & { automationName?: string };
export type AutomationLog = Schemas["AutomationLogOut"];
export type Webhook = Schemas["WebhookRead"] & { secret?: string };
export type WebhookDelivery = Schemas["DeliveryRead"];
export type DashboardStats = Schemas["DashboardOut"];
export type ThroughputBucket = Schemas["ThroughputOut"]["buckets"][number];
export type QueueHealth = Schemas["QueueHealthOut"];
export type ScoreMutation = Schemas["ScoreMutationOut"];
export type FailedJob = Schemas["FailedJobRead"];
export type KeyOut = Schemas["KeyOut"];

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
