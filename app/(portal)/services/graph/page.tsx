import type { Metadata } from "next";
import Link from "next/link";
import { List, Network } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { NoAccess } from "@/components/shell/no-access";
import { GraphEditor } from "@/components/graph/graph-editor";
import type { EditScope } from "@/components/graph/model";
import { can, type Actor } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { ROLE_DEFINITIONS, type Permission } from "@/lib/core/permissions";
import { getGraph } from "@/lib/services";
import { graphLayout } from "@/lib/services/layout-cache";

export const metadata: Metadata = { title: "Graph editor · Services" };

/** Which services the actor may edit: all (an organisation-scoped role) or their teams'. The server checks again. */
function editScope(actor: Actor): EditScope | null {
  if (!can(actor, "services.write")) return null;
  const grants = actor.grants.filter((g) => (ROLE_DEFINITIONS[g.role].permissions as readonly Permission[]).includes("services.write"));
  if (grants.some((g) => ROLE_DEFINITIONS[g.role].scope === "organisation")) return { all: true };
  return { all: false, teams: [...new Set(grants.map((g) => g.teamSlug))].sort() };
}

export default async function ServiceGraphPage() {
  const actor = await requireActor();
  if (!can(actor, "services.read")) return <NoAccess permission="services.read" />;
  const graph = await getGraph(db());
  // Ready when someone opened this revision of the graph before; else started now for the next view.
  const layout = await graphLayout(db(), graph);
  return (
    <div>
      <PageHeader
        eyebrow={
          <Link href="/services" className="hover:text-foreground">
            Services
          </Link>
        }
        title="Graph editor"
        description="Every service and what it depends on, laid out in deployment waves from left to right."
        actions={
          <Button asChild variant="secondary" size="sm">
            <Link href="/services">
              <List /> List view
            </Link>
          </Button>
        }
      />
      {graph.nodes.length === 0 ? (
        <Card>
          <EmptyState
            icon={Network}
            title="No services yet"
            action={
              <Button asChild>
                <Link href="/services">Go to Services</Link>
              </Button>
            }
          >
            The graph draws itself from the services list: create services there, or import a <code className="font-mono">deployment-config.yaml</code> or Backstage catalog, and
            their dependencies appear here in deployment order.
          </EmptyState>
        </Card>
      ) : (
        <GraphEditor initialGraph={graph} scope={editScope(actor)} initialLayout={layout} />
      )}
    </div>
  );
}
