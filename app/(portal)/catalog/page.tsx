import type { Metadata } from "next";
import { LibraryBig } from "lucide-react";
import { ComingSoon } from "@/components/shell/coming-soon";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";

export const metadata: Metadata = { title: "Catalog" };

export default async function CatalogPage() {
  const actor = await requireActor();
  if (!can(actor, "catalog.read")) return <NoAccess permission="catalog.read" />;
  return (
    <ComingSoon
      title="Template catalog"
      description="Reusable, tested CI/CD pipeline templates that teams adopt in minutes and keep up to date."
      icon={LibraryBig}
      items={[
        { title: "Browse and search", text: "GitHub Actions reusable workflows and composite actions, Azure DevOps stage templates, Terraform GitOps pipelines and Argo CD apps, with docs, versions and lifecycle." },
        { title: "Fill in and preview", text: "A form generated from each template's JSON Schema, validated in the browser and on the server, and a preview of the exact files to be written." },
        { title: "Instantiate", text: "Into an existing repository as a pull request, or as a new repository, through GitHub (or local git repositories in the sandbox)." },
        { title: "Upgrade and adopt", text: "Upgrade pull requests when a new version ships, and an adoption scan of which repositories run which version." },
      ]}
    />
  );
}
