import { useState } from "react";
import type { Lead } from "../../api/types";
import { leadLabel } from "../../lib/format";
import { errorMessage } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { ConfirmDialog, Drawer } from "../ui/Dialog";
import { Button } from "../ui/primitives";
import { QueryView } from "../ui/QueryView";
import { IdentityBadge, RiskBadge, ScoreFigure, StageBadge } from "./badges";
import { exportLead, useDeleteLead, useDownload, useLead } from "./hooks";
import { Intel, MergeHistory, ScoreChart, Section, Timeline, Traits } from "./LeadSections";

const SECTIONS = [
  ["Score over time", ScoreChart],
  ["Intelligence", Intel],
  ["Timeline", Timeline],
  ["Merge history", MergeHistory],
] as const;

/** Under the drawer's title: what the title does not already say. */
function subtitle(lead: Lead): string | undefined {
  const known = [lead.name ? lead.email : null, lead.company].filter(Boolean).join(" · ");
  return known || (lead.identified ? undefined : "Anonymous visitor");
}

function Summary({ lead, onDelete }: { lead: Lead; onDelete: () => void }) {
  const exportJson = useDownload(
    () => exportLead(lead.id),
    () => "Lead data exported",
  );
  return (
    <>
      {lead.mergedInto && (
        <p className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800 ring-1 ring-amber-200">
          This lead was merged into lead #{lead.mergedInto}.
        </p>
      )}
      <div className="mb-7 flex flex-wrap items-center gap-4">
        <ScoreFigure score={lead.currentScore} testId="drawer-score" />
        <div className="flex flex-wrap gap-2">
          <StageBadge stage={lead.leadStage} />
          <RiskBadge risk={lead.risk} />
          <IdentityBadge identified={lead.identified} />
        </div>
        <div className="ml-auto flex gap-2">
          <Button size="sm" variant="secondary" onClick={() => exportJson.mutate()} busy={exportJson.isPending}>
            Export data
          </Button>
          <Button size="sm" variant="danger" onClick={onDelete}>
            Delete
          </Button>
        </div>
      </div>
    </>
  );
}

export function LeadDrawer({ leadId, onClose }: { leadId: number; onClose: () => void }) {
  const lead = useLead(leadId);
  const remove = useDeleteLead();
  const toast = useToast();
  const [confirm, setConfirm] = useState(false);
  const erase = () =>
    remove.mutate(leadId, {
      onSuccess: () => {
        toast.success("Lead and all its data deleted");
        onClose();
      },
      onError: (e) => toast.error(errorMessage(e)),
    });

  return (
    <Drawer
      title={lead.data ? leadLabel(lead.data) : `Lead #${leadId}`}
      subtitle={lead.data && subtitle(lead.data)}
      onClose={onClose}
    >
      <QueryView query={lead}>
        {(data) => (
          <>
            <Summary lead={data} onDelete={() => setConfirm(true)} />
            {SECTIONS.map(([title, Body]) => (
              <Section key={title} title={title}>
                <Body leadId={leadId} />
              </Section>
            ))}
            {Object.keys(data.traits).length > 0 && (
              <Section title="Traits">
                <Traits traits={data.traits} />
              </Section>
            )}
          </>
        )}
      </QueryView>
      {confirm && (
        <ConfirmDialog
          title="Delete this lead?"
          message="This permanently erases the lead, its events, score history and automation runs (GDPR erasure). It cannot be undone."
          confirmLabel="Delete permanently"
          busy={remove.isPending}
          onCancel={() => setConfirm(false)}
          onConfirm={erase}
        />
      )}
    </Drawer>
  );
}
