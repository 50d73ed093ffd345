// The GitOps engine port on Argo CD's REST API (argocd-server; paths, parameters and bodies as
// its published Swagger documents them, checked by tests/unit/argocd-engine.test.ts against a
// double that validates every request and answer in strict mode).
//
// Endpoints:
//   listApplications   GET  /api/v1/applications?selector=…&projects=…        (ApplicationService_List)
//   getApplication     GET  /api/v1/applications/{name}?refresh=normal|hard    (ApplicationService_Get)
//   sync               POST /api/v1/applications/{name}/sync                   (ApplicationService_Sync)
//   resourceTree       GET  /api/v1/applications/{applicationName}/resource-tree
//   managedResources   GET  /api/v1/applications/{applicationName}/managed-resources
//   runResourceAction  POST /api/v1/applications/{name}/resource/actions/v2    (ApplicationService_RunResourceActionV2)
//
// The resource action goes through v2: Argo CD 3.x documents the older POST …/resource/actions
// (action name as the JSON string body, resource in the query) as deprecated, "will be removed in
// a future release", and its server forwards it to v2 anyway.
import type {
  EngineApplication,
  GitOpsEngine,
  ResourceDiff,
  ResourceNode,
  ResourceRef,
  SyncOptions,
} from "../../core/ports/gitops-engine.ts";
import { ArgoCdHttp, type ArgoCdHttpOptions } from "./http.ts";
import { toEngineApplication, toResourceDiff, toResourceNode } from "./mapping.ts";
import { ArgoApplication, ArgoApplicationList, ArgoApplicationTree, ArgoEmptyResponse, ArgoManagedResources } from "./schemas.ts";

export type ArgoCdEngineOptions = ArgoCdHttpOptions;

const app = (name: string) => `/api/v1/applications/${encodeURIComponent(name)}`;

export class ArgoCdEngine implements GitOpsEngine {
  readonly kind = "argocd" as const;
  private readonly http: ArgoCdHttp;

  constructor(options: ArgoCdEngineOptions) {
    this.http = new ArgoCdHttp(options);
  }

  async listApplications(filter: { selector?: string; projects?: string[] } = {}): Promise<EngineApplication[]> {
    const query: [string, string][] = [];
    if (filter.selector) query.push(["selector", filter.selector]);
    // `projects` is repeated (collectionFormat multi); `project` is its legacy twin.
    for (const project of filter.projects ?? []) query.push(["projects", project]);
    const answer = await this.http.call({ method: "GET", path: "/api/v1/applications", query });
    const list = this.http.parse(answer, ArgoApplicationList, "an ApplicationList");
    return (list.items ?? []).map((item) => toEngineApplication(item, answer.receivedAt));
  }

  /**
   * null when Argo CD has no application of that name visible to the token. Asked without a
   * project, Argo CD answers 403 "permission denied" both for an application that does not exist
   * and for one the token may not see, so that the answer does not reveal which
   * (getAppEnforceRBAC in server/application/application.go); 404 comes only when a project is
   * named. Both therefore mean "none".
   */
  async getApplication(name: string, options: { refresh?: "normal" | "hard" } = {}): Promise<EngineApplication | null> {
    const query: [string, string][] = options.refresh ? [["refresh", options.refresh]] : [];
    const answer = await this.http.call({ method: "GET", path: app(name), query, expected: [403, 404] });
    if (answer.status === 403 || answer.status === 404) return null;
    return toEngineApplication(this.http.parse(answer, ArgoApplication, "an Application"), answer.receivedAt);
  }

  /**
   * Asks Argo CD to sync; it answers at once with the application whose `operation` records the
   * request (reported as Running, "waiting to start", until the controller starts it). Not
   * retried: a second sync request while the first runs is refused ("another operation is already
   * in progress"), and a retry after a lost answer may sync twice.
   */
  async sync(name: string, options: SyncOptions = {}): Promise<EngineApplication> {
    const body: { name: string; revision?: string; prune?: boolean } = { name };
    if (options.revision) body.revision = options.revision;
    if (options.prune !== undefined) body.prune = options.prune;
    const answer = await this.http.call({ method: "POST", path: `${app(name)}/sync`, body });
    return toEngineApplication(this.http.parse(answer, ArgoApplication, "an Application"), answer.receivedAt);
  }

  async resourceTree(name: string): Promise<ResourceNode[]> {
    const answer = await this.http.call({ method: "GET", path: `${app(name)}/resource-tree` });
    const tree = this.http.parse(answer, ArgoApplicationTree, "an ApplicationTree");
    return (tree.nodes ?? []).map(toResourceNode);
  }

  async managedResources(name: string): Promise<ResourceDiff[]> {
    const answer = await this.http.call({ method: "GET", path: `${app(name)}/managed-resources` });
    const managed = this.http.parse(answer, ArgoManagedResources, "a ManagedResourcesResponse");
    return (managed.items ?? []).map(toResourceDiff);
  }

  async runResourceAction(name: string, resource: ResourceRef, action: string): Promise<void> {
    const answer = await this.http.call({
      method: "POST",
      path: `${app(name)}/resource/actions/v2`,
      body: {
        name,
        namespace: resource.namespace,
        resourceName: resource.name,
        group: resource.group,
        version: resource.version,
        kind: resource.kind,
        action,
      },
    });
    this.http.parse(answer, ArgoEmptyResponse, "an ApplicationResponse");
  }
}
