import { riskStyle, stageStyle } from "../../lib/format";
import { Badge } from "../ui/primitives";

export function StageBadge({ stage }: { stage: string }) {
  return <Badge className={stageStyle(stage)}>{stage}</Badge>;
}

export function RiskBadge({ risk }: { risk: string }) {
  return <Badge className={riskStyle(risk)}>{risk} risk</Badge>;
}

/** The 0–10 velocity score (events in the last 24 h, capped at 10) as a short bar. */
export const MAX_VELOCITY = 10;

export function VelocityBar({ value }: { value: number }) {
  const score = Math.max(0, Math.min(MAX_VELOCITY, value));
  const color = score >= 7 ? "bg-rose-500" : score >= 4 ? "bg-amber-500" : "bg-brand-500";
  return (
    <div className="flex items-center gap-2" title={`Velocity ${score}/${MAX_VELOCITY}`}>
      <div
        className="h-1.5 w-16 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={MAX_VELOCITY}
        aria-valuenow={score}
        aria-label="Velocity"
      >
        <div className={`h-full ${color}`} style={{ width: `${(score / MAX_VELOCITY) * 100}%` }} />
      </div>
      <span className="w-6 text-xs text-slate-600 tabular-nums dark:text-slate-300">{score}</span>
    </div>
  );
}

export function IdentityBadge({ identified }: { identified: boolean }) {
  return identified ? (
    <Badge className="bg-sky-50 text-sky-700 ring-sky-200 dark:bg-sky-950 dark:text-sky-300 dark:ring-sky-800">
      identified
    </Badge>
  ) : (
    <Badge className="bg-slate-50 text-slate-500 ring-slate-200 dark:bg-slate-900 dark:text-slate-400 dark:ring-slate-700">
      anonymous
    </Badge>
  );
}

/** A lead's score, big, under a small "Score" label. */
export function ScoreFigure({ score, testId, large = false }: { score: number; testId: string; large?: boolean }) {
  return (
    <div>
      <p className="text-xs text-slate-500 dark:text-slate-400">Score</p>
      <p className={`${large ? "text-5xl" : "text-4xl"} font-semibold tabular-nums`} data-testid={testId}>
        {score}
      </p>
    </div>
  );
}
