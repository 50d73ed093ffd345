import { Lock } from "lucide-react";
import { EmptyState } from "@/components/ui/empty-state";
import { PERMISSIONS, ROLE_DEFINITIONS, ROLES, type Permission } from "@/lib/core/permissions";

/** What a person sees on a page their roles do not open: which permission, and who has it. */
export function NoAccess({ permission }: { permission: Permission }) {
  const roles = ROLES.filter((r) => (ROLE_DEFINITIONS[r].permissions as readonly Permission[]).includes(permission)).map((r) => ROLE_DEFINITIONS[r].title);
  return (
    <div className="rounded-lg border border-border bg-surface" data-testid="no-access">
      <EmptyState icon={Lock} title="You don't have access to this page">
        It needs the <code className="font-mono text-foreground">{permission}</code> permission ({PERMISSIONS[permission].toLowerCase()}), which these roles have:{" "}
        {roles.join(", ")}. A platform admin can change your roles in Settings → Teams.
      </EmptyState>
    </div>
  );
}
