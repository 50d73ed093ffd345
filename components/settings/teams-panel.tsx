"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Plus, UserPlus, Users } from "lucide-react";
import { useMemo, useState } from "react";
import { toast } from "sonner";
import { api, ApiError } from "@/components/api";
import { relativeTime } from "@/components/audit/format";
import { Avatar } from "@/components/ui/avatar";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { FieldError, Input, Label, NativeSelect } from "@/components/ui/input";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { ROLE_DEFINITIONS, ROLES, type RoleName } from "@/lib/core/permissions";
import type { MemberDto, TeamDto, UserDto } from "@/lib/org/schemas";

function RolePicker({ value, onChange, idPrefix }: { value: RoleName[]; onChange: (roles: RoleName[]) => void; idPrefix: string }) {
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium">Roles</legend>
      {ROLES.map((r) => {
        const id = `${idPrefix}-${r}`;
        const checked = value.includes(r);
        return (
          <label key={r} htmlFor={id} className="flex cursor-pointer items-start gap-3 rounded-md border border-border px-3 py-2 hover:bg-surface-2/60">
            <input
              id={id}
              type="checkbox"
              className="mt-1 accent-[var(--accent)]"
              checked={checked}
              onChange={() => onChange(checked ? value.filter((v) => v !== r) : [...value, r])}
            />
            <span>
              <span className="block text-sm font-medium">
                {ROLE_DEFINITIONS[r].title} <span className="font-normal text-subtle">({ROLE_DEFINITIONS[r].scope === "team" ? "this team only" : "whole organisation"})</span>
              </span>
              <span className="block text-xs text-muted">{ROLE_DEFINITIONS[r].description}</span>
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}

function ErrorText({ error }: { error: unknown }) {
  if (!error) return null;
  return <p className="text-sm text-danger" role="status">{(error as Error).message}</p>;
}

export function TeamsPanel({ initialTeams, initialUsers, canManage }: { initialTeams: TeamDto[]; initialUsers: UserDto[] | null; canManage: boolean }) {
  const qc = useQueryClient();
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<{ items: TeamDto[] }>("/api/v1/teams").then((r) => r.items), initialData: initialTeams });
  const users = useQuery({
    queryKey: ["users"],
    queryFn: () => api<{ items: UserDto[] }>("/api/v1/users").then((r) => r.items),
    initialData: initialUsers ?? undefined,
    enabled: canManage,
  });
  const [selected, setSelected] = useState<string>(initialTeams[0]?.slug ?? "");
  const members = useQuery({
    queryKey: ["members", selected],
    queryFn: () => api<{ items: MemberDto[] }>(`/api/v1/teams/${selected}/members`).then((r) => r.items),
    enabled: Boolean(selected),
  });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["teams"] });
    void qc.invalidateQueries({ queryKey: ["users"] });
    void qc.invalidateQueries({ queryKey: ["members"] });
  };

  // Dialog state
  const [newTeam, setNewTeam] = useState<{ slug: string; name: string; description: string } | null>(null);
  const [editing, setEditing] = useState<{ login: string; roles: RoleName[]; isNew: boolean } | null>(null);
  const [removing, setRemoving] = useState<MemberDto | null>(null);
  const [newPerson, setNewPerson] = useState<{ login: string; name: string; email: string; team: string; roles: RoleName[] } | null>(null);

  const createTeam = useMutation({
    mutationFn: (body: { slug: string; name: string; description: string }) => api<TeamDto>("/api/v1/teams", { method: "POST", body }),
    onSuccess: (team) => {
      toast.success(`Team ${team.name} created.`);
      setNewTeam(null);
      setSelected(team.slug);
      refresh();
    },
  });
  const setRoles = useMutation({
    mutationFn: (v: { login: string; roles: RoleName[] }) => api<MemberDto>(`/api/v1/teams/${selected}/members/${v.login}`, { method: "PUT", body: { roles: v.roles } }),
    onSuccess: (m) => {
      toast.success(`${m.login}'s roles in ${selected} saved.`);
      setEditing(null);
      refresh();
    },
  });
  const removeMember = useMutation({
    mutationFn: (login: string) => api<void>(`/api/v1/teams/${selected}/members/${login}`, { method: "DELETE" }),
    onSuccess: () => {
      toast.success("Removed from the team.");
      setRemoving(null);
      refresh();
    },
  });
  const createPerson = useMutation({
    mutationFn: (body: { login: string; name: string; email?: string; team: string; roles: RoleName[] }) => api<UserDto>("/api/v1/users", { method: "POST", body }),
    onSuccess: (u) => {
      toast.success(`${u.login} added. They sign in with GitHub as @${u.login}.`);
      setNewPerson(null);
      refresh();
    },
  });
  const toggleUser = useMutation({
    mutationFn: (v: { login: string; disabled: boolean }) => api<UserDto>(`/api/v1/users/${v.login}`, { method: "PATCH", body: { disabled: v.disabled } }),
    onSuccess: (u) => {
      toast.success(u.disabled ? `${u.login} disabled: their sessions and tokens stop working now.` : `${u.login} re-enabled.`);
      refresh();
    },
    onError: (e) => toast.error((e as Error).message),
  });

  const team = teams.data?.find((t) => t.slug === selected);
  const memberLogins = useMemo(() => new Set((members.data ?? []).map((m) => m.login)), [members.data]);
  const teamFieldErrors = createTeam.error instanceof ApiError ? createTeam.error.fieldErrors() : {};
  const personFieldErrors = createPerson.error instanceof ApiError ? createPerson.error.fieldErrors() : {};

  return (
    <div className="space-y-6">
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-1">
          <CardHeader
            title="Teams"
            actions={
              canManage ? (
                <Button size="sm" variant="secondary" onClick={() => (createTeam.reset(), setNewTeam({ slug: "", name: "", description: "" }))} data-testid="new-team">
                  <Plus /> New team
                </Button>
              ) : null
            }
          />
          <ul className="p-2" data-testid="teams-list">
            {(teams.data ?? []).map((t) => (
              <li key={t.id}>
                <button
                  onClick={() => setSelected(t.slug)}
                  aria-current={t.slug === selected ? "true" : undefined}
                  className={cn("flex w-full items-center gap-3 rounded-md px-3 py-2 text-left", t.slug === selected ? "bg-accent-soft" : "hover:bg-surface-2")}
                >
                  <span className="size-2.5 rounded-full" style={{ background: t.color }} aria-hidden />
                  <span className="min-w-0 flex-1">
                    <span className="block text-sm font-medium">{t.name}</span>
                    <span className="block text-xs text-subtle">
                      {t.memberCount} member{t.memberCount === 1 ? "" : "s"} · {t.serviceCount} service{t.serviceCount === 1 ? "" : "s"}
                    </span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </Card>

        <Card className="lg:col-span-2">
          <CardHeader
            title={team ? team.name : "Members"}
            description={team?.description || undefined}
            actions={
              canManage && team ? (
                <Button size="sm" variant="secondary" onClick={() => (setRoles.reset(), setEditing({ login: "", roles: ["developer"], isNew: true }))} data-testid="add-member">
                  <UserPlus /> Add member
                </Button>
              ) : null
            }
          />
          {members.isLoading ? (
            <p className="px-5 py-6 text-sm text-muted">Loading members…</p>
          ) : members.error ? (
            <p className="px-5 py-6 text-sm text-danger">{(members.error as Error).message}</p>
          ) : (members.data ?? []).length === 0 ? (
            <EmptyState icon={Users} title="No members yet">
              {canManage ? "Add people to this team to give them roles on its services." : "A platform admin adds people to teams."}
            </EmptyState>
          ) : (
            <Table data-testid="members-table">
              <THead>
                <tr>
                  <Th>Person</Th>
                  <Th>Roles</Th>
                  {canManage ? (
                    <Th className="text-right">
                      <span className="sr-only">Actions</span>
                    </Th>
                  ) : null}
                </tr>
              </THead>
              <TBody>
                {(members.data ?? []).map((m) => (
                  <Tr key={m.login}>
                    <Td>
                      <div className="flex items-center gap-3">
                        <Avatar name={m.name} login={m.login} src={m.avatarUrl} />
                        <div>
                          <div className="text-sm font-medium">
                            {m.name} {m.disabled ? <Badge tone="danger">disabled</Badge> : null}
                          </div>
                          <div className="text-xs text-subtle">@{m.login}</div>
                        </div>
                      </div>
                    </Td>
                    <Td>
                      <div className="flex flex-wrap gap-1">
                        {m.roles.map((r) => (
                          <Badge key={r} tone="accent">
                            {ROLE_DEFINITIONS[r].title}
                          </Badge>
                        ))}
                      </div>
                    </Td>
                    {canManage ? (
                      <Td className="whitespace-nowrap text-right">
                        <Button variant="ghost" size="sm" onClick={() => (setRoles.reset(), setEditing({ login: m.login, roles: m.roles, isNew: false }))}>
                          Edit roles
                        </Button>
                        <Button variant="ghost" size="sm" onClick={() => (removeMember.reset(), setRemoving(m))}>
                          Remove
                        </Button>
                      </Td>
                    ) : null}
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </Card>
      </div>

      {canManage && users.data ? (
        <Card>
          <CardHeader
            title="People"
            description="Everyone who can sign in. GitHub users appear when they first sign in, or when added here ahead of time."
            actions={
              <Button size="sm" variant="secondary" onClick={() => (createPerson.reset(), setNewPerson({ login: "", name: "", email: "", team: selected, roles: ["developer"] }))} data-testid="add-person">
                <UserPlus /> Add person
              </Button>
            }
          />
          <Table data-testid="people-table">
            <THead>
              <tr>
                <Th>Person</Th>
                <Th>Roles</Th>
                <Th>Last seen</Th>
                <Th>Status</Th>
                <Th className="text-right">
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </THead>
            <TBody>
              {users.data.map((u) => (
                <Tr key={u.id}>
                  <Td>
                    <div className="flex items-center gap-3">
                      <Avatar name={u.name} login={u.login} src={u.avatarUrl} />
                      <div>
                        <div className="text-sm font-medium">{u.name}</div>
                        <div className="text-xs text-subtle">
                          @{u.login}
                          {u.isDemo ? " · demo" : ""}
                        </div>
                      </div>
                    </div>
                  </Td>
                  <Td>
                    <div className="flex flex-wrap gap-1">
                      {u.grants.map((g) => (
                        <Badge key={`${g.role}-${g.team}`}>
                          {ROLE_DEFINITIONS[g.role].title} · {g.team}
                        </Badge>
                      ))}
                      {u.grants.length === 0 ? <span className="text-xs text-subtle">none</span> : null}
                    </div>
                  </Td>
                  <Td className="text-muted">{u.lastSeenAt ? relativeTime(u.lastSeenAt) : "never"}</Td>
                  <Td>{u.disabled ? <Badge tone="danger">disabled</Badge> : <Badge tone="success">active</Badge>}</Td>
                  <Td className="text-right">
                    <Button variant="ghost" size="sm" loading={toggleUser.isPending && toggleUser.variables?.login === u.login} onClick={() => toggleUser.mutate({ login: u.login, disabled: !u.disabled })}>
                      {u.disabled ? "Enable" : "Disable"}
                    </Button>
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </Card>
      ) : null}

      <Dialog open={newTeam !== null} onOpenChange={(o) => !o && setNewTeam(null)}>
        <DialogContent title="New team" description="Teams own services and templates; developers act on their own team's resources.">
          {newTeam ? (
            <form className="space-y-4" onSubmit={(e) => (e.preventDefault(), createTeam.mutate(newTeam))}>
              <div>
                <Label htmlFor="team-name">Name</Label>
                <Input
                  id="team-name"
                  className="mt-1"
                  value={newTeam.name}
                  autoFocus
                  onChange={(e) =>
                    setNewTeam({
                      ...newTeam,
                      name: e.target.value,
                      slug: newTeam.slug === "" || newTeam.slug === slugify(newTeam.name) ? slugify(e.target.value) : newTeam.slug,
                    })
                  }
                  aria-invalid={Boolean(teamFieldErrors.name)}
                />
                <FieldError>{teamFieldErrors.name}</FieldError>
              </div>
              <div>
                <Label htmlFor="team-slug">Slug</Label>
                <Input id="team-slug" className="mt-1 font-mono" value={newTeam.slug} onChange={(e) => setNewTeam({ ...newTeam, slug: e.target.value })} aria-invalid={Boolean(teamFieldErrors.slug)} />
                <FieldError>{teamFieldErrors.slug}</FieldError>
              </div>
              <div>
                <Label htmlFor="team-description">Description</Label>
                <Input id="team-description" className="mt-1" value={newTeam.description} onChange={(e) => setNewTeam({ ...newTeam, description: e.target.value })} />
              </div>
              {!teamFieldErrors.name && !teamFieldErrors.slug ? <ErrorText error={createTeam.error} /> : null}
              <DialogFooter>
                <Button type="submit" loading={createTeam.isPending}>
                  Create team
                </Button>
              </DialogFooter>
            </form>
          ) : null}
        </DialogContent>
      </Dialog>

      <Dialog open={editing !== null} onOpenChange={(o) => !o && setEditing(null)}>
        <DialogContent title={editing?.isNew ? `Add a member to ${team?.name ?? ""}` : `Roles of @${editing?.login ?? ""} in ${team?.name ?? ""}`}>
          {editing ? (
            <form className="space-y-4" onSubmit={(e) => (e.preventDefault(), setRoles.mutate({ login: editing.login, roles: editing.roles }))}>
              {editing.isNew ? (
                <div>
                  <Label htmlFor="member-login">Person</Label>
                  <NativeSelect id="member-login" className="mt-1" value={editing.login} onChange={(e) => setEditing({ ...editing, login: e.target.value })}>
                    <option value="">Choose a person…</option>
                    {(users.data ?? [])
                      .filter((u) => !memberLogins.has(u.login))
                      .map((u) => (
                        <option key={u.id} value={u.login}>
                          {u.name} (@{u.login})
                        </option>
                      ))}
                  </NativeSelect>
                </div>
              ) : null}
              <RolePicker idPrefix="member-role" value={editing.roles} onChange={(roles) => setEditing({ ...editing, roles })} />
              <ErrorText error={setRoles.error} />
              <DialogFooter>
                <Button type="submit" loading={setRoles.isPending} disabled={!editing.login || editing.roles.length === 0}>
                  Save roles
                </Button>
              </DialogFooter>
            </form>
          ) : null}
        </DialogContent>
      </Dialog>

      <Dialog open={removing !== null} onOpenChange={(o) => !o && setRemoving(null)}>
        <DialogContent title={`Remove @${removing?.login ?? ""} from ${team?.name ?? ""}?`} description="They lose the roles they hold in this team at once.">
          <ErrorText error={removeMember.error} />
          <DialogFooter className="mt-4">
            <Button variant="danger" loading={removeMember.isPending} onClick={() => removing && removeMember.mutate(removing.login)}>
              Remove
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>

      <Dialog open={newPerson !== null} onOpenChange={(o) => !o && setNewPerson(null)}>
        <DialogContent title="Add a person" description="They sign in with GitHub; their GitHub login must match.">
          {newPerson ? (
            <form
              className="space-y-4"
              onSubmit={(e) => {
                e.preventDefault();
                createPerson.mutate({ ...newPerson, email: newPerson.email || undefined });
              }}
            >
              <div className="grid gap-4 sm:grid-cols-2">
                <div>
                  <Label htmlFor="person-login">GitHub login</Label>
                  <Input id="person-login" className="mt-1 font-mono" value={newPerson.login} autoFocus onChange={(e) => setNewPerson({ ...newPerson, login: e.target.value })} aria-invalid={Boolean(personFieldErrors.login)} />
                  <FieldError>{personFieldErrors.login}</FieldError>
                </div>
                <div>
                  <Label htmlFor="person-name">Name</Label>
                  <Input id="person-name" className="mt-1" value={newPerson.name} onChange={(e) => setNewPerson({ ...newPerson, name: e.target.value })} aria-invalid={Boolean(personFieldErrors.name)} />
                  <FieldError>{personFieldErrors.name}</FieldError>
                </div>
                <div>
                  <Label htmlFor="person-email">E-mail (optional)</Label>
                  <Input id="person-email" type="email" className="mt-1" value={newPerson.email} onChange={(e) => setNewPerson({ ...newPerson, email: e.target.value })} aria-invalid={Boolean(personFieldErrors.email)} />
                  <FieldError>{personFieldErrors.email}</FieldError>
                </div>
                <div>
                  <Label htmlFor="person-team">Team</Label>
                  <NativeSelect id="person-team" className="mt-1" value={newPerson.team} onChange={(e) => setNewPerson({ ...newPerson, team: e.target.value })}>
                    {(teams.data ?? []).map((t) => (
                      <option key={t.slug} value={t.slug}>
                        {t.name}
                      </option>
                    ))}
                  </NativeSelect>
                </div>
              </div>
              <RolePicker idPrefix="person-role" value={newPerson.roles} onChange={(roles) => setNewPerson({ ...newPerson, roles })} />
              {Object.keys(personFieldErrors).length === 0 ? <ErrorText error={createPerson.error} /> : null}
              <DialogFooter>
                <Button type="submit" loading={createPerson.isPending} disabled={newPerson.roles.length === 0}>
                  Add person
                </Button>
              </DialogFooter>
            </form>
          ) : null}
        </DialogContent>
      </Dialog>
    </div>
  );
}

function slugify(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
}
