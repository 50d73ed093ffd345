// The sandbox cluster: the GitOps engine of sandbox mode (see cluster.ts and model.ts).
import type { Db } from "../../core/db/client.ts";
import type { GitHost } from "../../core/ports/git-host.ts";
import { SandboxCluster } from "./cluster.ts";

export { SandboxCluster, DriftPatchSchema, type BadVersion, type SandboxClusterOptions } from "./cluster.ts";
export { BASE_TIMINGS, BAD_VERSION_MODES, BASE_ERROR_RATE, BAD_VERSION_ERROR_RATE, timingsFor, speedFromEnv, type BadVersionMode, type DriftPatch, type Timings } from "./model.ts";

/** The sandbox cluster over a database and the GitHost that serves the GitOps repository (speed from PAVED_SANDBOX_SPEED). */
export function createSandboxCluster(db: Db, host: GitHost): SandboxCluster {
  return new SandboxCluster({ db, host });
}
