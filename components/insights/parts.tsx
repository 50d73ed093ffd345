// Small pieces of the Insights page, safe on the server and in the browser.
import { Badge } from "@/components/ui/badge";
import { BAND_LABEL, BAND_TONE, STATUS_LABEL, STATUS_TONE, type Band, type Status } from "./format";

export function StatusBadge({ status, testId }: { status: Status; testId?: string }) {
  return (
    <Badge tone={STATUS_TONE[status]} data-testid={testId} data-status={status}>
      {STATUS_LABEL[status]}
    </Badge>
  );
}

export function BandBadge({ band, testId }: { band: Band | null; testId?: string }) {
  if (!band) return <span className="text-xs text-subtle">no band</span>;
  return (
    <Badge tone={BAND_TONE[band]} data-testid={testId} data-band={band}>
      {BAND_LABEL[band]}
    </Badge>
  );
}
