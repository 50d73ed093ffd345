// Loads @actions/workflow-parser, GitHub's own parser and schema for workflow and action files.
// Its dist imports JSON files without an import attribute, which Node 20's own ESM loader refuses
// (tsx's loader tolerates it, Vitest hands the package to Node's loader). A small load hook adds
// the attribute for that package's JSON files only; it is registered once, before the first
// import, and changes nothing for any other module.
import { register } from "node:module";

type WorkflowParser = typeof import("@actions/workflow-parser");
type ActionParser = typeof import("@actions/workflow-parser/actions/index");

const HOOK = `
export async function load(url, context, nextLoad) {
  if (url.endsWith(".json") && url.includes("/@actions/workflow-parser/") && !context.importAttributes?.type) {
    return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
  }
  return nextLoad(url, context);
}`;

let loading: Promise<{ workflow: WorkflowParser; action: ActionParser }> | undefined;

export function loadWorkflowParser(): Promise<{ workflow: WorkflowParser; action: ActionParser }> {
  loading ??= (async () => {
    register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
    const [workflow, action] = await Promise.all([
      import("@actions/workflow-parser"),
      import("@actions/workflow-parser/actions/index"),
    ]);
    return { workflow, action };
  })();
  return loading;
}
