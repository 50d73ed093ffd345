"use client";

import { CircleAlert } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export default function PortalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="rounded-lg border border-border bg-surface" data-testid="page-error">
      <EmptyState
        icon={CircleAlert}
        title="This page could not load"
        action={
          <Button variant="secondary" onClick={reset}>
            Try again
          </Button>
        }
      >
        Something failed on our side{error.digest ? ` (reference ${error.digest})` : ""}. If the database was restarting, trying again usually works; otherwise check{" "}
        <a className="text-accent hover:underline" href="/api/health">
          /api/health
        </a>
        .
      </EmptyState>
    </div>
  );
}
