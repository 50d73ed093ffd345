"use client";

import { CircleAlert } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export default function InsightsError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="rounded-lg border border-border bg-surface" data-testid="insights-error">
      <EmptyState
        icon={CircleAlert}
        title="The insights could not be computed"
        action={
          <Button variant="secondary" onClick={reset}>
            Try again
          </Button>
        }
      >
        Something failed on our side{error.digest ? ` (reference ${error.digest})` : ""}. The figures come from the database; if it was restarting, trying again usually works.
      </EmptyState>
    </div>
  );
}
