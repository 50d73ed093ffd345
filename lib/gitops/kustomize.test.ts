// The kustomize subset against fixtures (tests/fixtures/gitops): each folder's expected*.yaml is
// what `kustomize build` prints for it. Errors must name the file, the field and the line.
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { KustomizeError, createKustomizer, renderKustomization, splitImage, type FileMap, type RenderedObject } from "./kustomize.ts";

const FIXTURES = path.resolve(import.meta.dirname, "../../tests/fixtures/gitops");

async function readFileMap(root: string): Promise<FileMap> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const e of entries.filter((x) => x.isFile())) {
    const full = path.join(e.parentPath, e.name);
    files[path.relative(root, full).split(path.sep).join("/")] = await readFile(full, "utf8");
  }
  return files;
}

let files: FileMap;
beforeAll(async () => {
  files = await readFileMap(FIXTURES);
});

function expected(file: string): unknown[] {
  return YAML.parseAllDocuments(files[file]!)
    .map((d) => d.toJS() as unknown)
    .filter((v) => v !== null);
}

function objects(rendered: RenderedObject[]): unknown[] {
  return rendered.map((r) => r.object);
}

function find(rendered: RenderedObject[], kind: string, name: string): RenderedObject {
  const found = rendered.find((r) => r.object.kind === kind && r.object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in ${rendered.map((r) => `${r.object.kind}/${r.object.metadata.name}`).join(", ")}`);
  return found;
}

function errorOf(fn: () => unknown): KustomizeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KustomizeError) return e;
    throw e;
  }
  throw new Error("expected a KustomizeError");
}

describe("resources", () => {
  it("loads files, multi-document files, Lists and folders with their own kustomization, in kustomize's order", () => {
    const rendered = renderKustomization(files, "resources");
    expect(objects(rendered)).toEqual(expected("resources/expected.yaml"));
  });

  it("keeps each object's file, document index (empty documents count) and line", () => {
    const rendered = renderKustomization(files, "resources");
    expect(find(rendered, "Deployment", "web").source).toEqual({ file: "resources/deployment.yaml", document: 0, line: 2 });
    expect(find(rendered, "Service", "web").source).toEqual({ file: "resources/multi.yaml", document: 0, line: 2 });
    expect(find(rendered, "ConfigMap", "web-config").source).toEqual({ file: "resources/multi.yaml", document: 2, line: 13 });
    // A List's items point at their own lines.
    expect(find(rendered, "ServiceAccount", "web").source).toEqual({ file: "resources/list.yaml", document: 0, line: 4 });
    expect(find(rendered, "Role", "reader").source).toEqual({ file: "resources/list.yaml", document: 0, line: 8 });
    expect(find(rendered, "Service", "cache").source).toEqual({ file: "resources/components/cache/redis.yaml", document: 1, line: 19 });
    expect(rendered.every((r) => r.transformedBy.length === 0)).toBe(true);
  });

  it("keeps the order of the resources with sortOptions fifo", () => {
    const fifo = { ...files, "resources/kustomization.yaml": `${files["resources/kustomization.yaml"]}sortOptions:\n  order: fifo\n` };
    expect(renderKustomization(fifo, "resources").map((r) => `${r.object.kind}/${r.object.metadata.name}`)).toEqual([
      "Deployment/web",
      "Service/web",
      "ConfigMap/web-config",
      "ServiceAccount/web",
      "Role/reader",
      "StatefulSet/cache",
      "Service/cache",
    ]);
  });

  it("accepts a directory path with ./ and a trailing slash, and never mutates what it parsed", () => {
    const kustomizer = createKustomizer(files);
    const first = kustomizer.render("./resources/");
    (first[0]!.object.metadata as Record<string, unknown>).name = "changed";
    expect(objects(kustomizer.render("resources"))).toEqual(expected("resources/expected.yaml"));
  });
});

describe("namespace", () => {
  it("sets it on namespaced objects and default service-account subjects, renames a Namespace, and leaves cluster-scoped kinds alone", () => {
    expect(objects(renderKustomization(files, "namespace"))).toEqual(expected("namespace/expected.yaml"));
  });
});

describe("labels and annotations", () => {
  it("commonLabels reach selectors; labels reach metadata, templates or selectors as asked; values keep their text", () => {
    expect(objects(renderKustomization(files, "labels"))).toEqual(expected("labels/expected.yaml"));
  });

  it("records which fields changed an object", () => {
    const configMap = find(renderKustomization(files, "labels"), "ConfigMap", "settings");
    expect(configMap.transformedBy.map((t) => t.field)).toEqual(["labels[0]", "labels[1]", "labels[2]", "commonLabels", "commonAnnotations"]);
    expect(configMap.transformedBy[0]).toEqual({ file: "labels/kustomization.yaml", field: "labels[0]", line: 7 });
  });
});

describe("images", () => {
  it("sets tags, names and digests in containers and init containers, in any kind, matching whole names only", () => {
    expect(objects(renderKustomization(files, "images"))).toEqual(expected("images/expected.yaml"));
  });

  it("splits references as kustomize does, a registry port included", () => {
    expect(splitImage("registry.acme.example:5000/tools/migrate:1.9.0")).toEqual({ name: "registry.acme.example:5000/tools/migrate", tag: "1.9.0", digest: null });
    expect(splitImage("nginx")).toEqual({ name: "nginx", tag: null, digest: null });
    expect(splitImage("ghcr.io/acme/web:1.0@sha256:abc")).toEqual({ name: "ghcr.io/acme/web", tag: "1.0", digest: "sha256:abc" });
    expect(splitImage("ghcr.io/acme/web@sha256:abc")).toEqual({ name: "ghcr.io/acme/web", tag: null, digest: "sha256:abc" });
  });

  it("notes only the entries that changed something", () => {
    const rendered = renderKustomization(files, "images");
    expect(find(rendered, "Deployment", "web").transformedBy.map((t) => t.field)).toEqual(["images[0]", "images[1]", "images[2]", "images[3]"]);
    expect(find(rendered, "Rollout", "worker").transformedBy).toEqual([{ file: "images/kustomization.yaml", field: "images[4]", line: 17 }]);
  });
});

describe("replicas", () => {
  it("sets spec.replicas of Deployments and StatefulSets by name, not of other kinds", () => {
    expect(objects(renderKustomization(files, "replicas"))).toEqual(expected("replicas/expected.yaml"));
  });
});

describe("patches", () => {
  it("merges strategically by Kubernetes' keys, deletes, replaces a CRD's lists, selects by target and applies JSON patches", () => {
    expect(objects(renderKustomization(files, "patches"))).toEqual(expected("patches/expected.yaml"));
  });

  it("records the patches that changed an object, by file (or the kustomization for inline ones) and line", () => {
    const rendered = renderKustomization(files, "patches");
    expect(find(rendered, "Deployment", "web").transformedBy).toEqual([
      { file: "patches/patch-containers.yaml", field: "patchesStrategicMerge[0]", line: 2 },
      { file: "patches/kustomization.yaml", field: "patches[1]", line: 19 },
    ]);
    expect(find(rendered, "Rollout", "worker").transformedBy.map((t) => t.field)).toEqual(["patches[2]", "patches[3]"]);
    expect(find(rendered, "ConfigMap", "settings").transformedBy).toEqual([{ file: "patches/kustomization.yaml", field: "patchesJson6902[0]", line: 52 }]);
    expect(rendered.some((r) => r.object.metadata.name === "legacy")).toBe(false);
  });

  it("replaces a map with $patch: replace and a list with a { $patch: replace } element", () => {
    const tree: FileMap = {
      "kustomization.yaml": "resources: [deployment.yaml]\npatches:\n  - path: patch.yaml\n",
      "deployment.yaml": files["patches/deployment.yaml"]!,
      "patch.yaml": [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: web",
        "  labels:",
        "    $patch: replace",
        "    only: this",
        "spec:",
        "  template:",
        "    spec:",
        "      containers:",
        "        - $patch: replace",
        "        - name: solo",
        "          image: ghcr.io/acme/solo:1.0.0",
        "",
      ].join("\n"),
    };
    const web = renderKustomization(tree, "")[0]!.object;
    expect(web.metadata.labels).toEqual({ only: "this" });
    expect((web.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers).toEqual([{ name: "solo", image: "ghcr.io/acme/solo:1.0.0" }]);
  });
});

describe("an overlay over a base", () => {
  it("renders dev and production as kustomize does, with a folder shared from outside the app", () => {
    const kustomizer = createKustomizer(files);
    expect(objects(kustomizer.render("overlay/apps/shop/overlays/dev"))).toEqual(expected("overlay/expected/dev.yaml"));
    expect(objects(kustomizer.render("overlay/apps/shop/overlays/production"))).toEqual(expected("overlay/expected/production.yaml"));
  });

  it("points the Deployment at the base's file and lists every kustomization that changed it, innermost first", () => {
    const shop = find(renderKustomization(files, "overlay/apps/shop/overlays/production"), "Deployment", "shop");
    expect(shop.source).toEqual({ file: "overlay/apps/shop/base/deployment.yaml", document: 0, line: 2 });
    const overlay = "overlay/apps/shop/overlays/production/kustomization.yaml";
    expect(shop.transformedBy).toEqual([
      { file: "overlay/apps/shop/base/kustomization.yaml", field: "labels[0]", line: 7 },
      { file: overlay, field: "namespace", line: 3 },
      { file: overlay, field: "labels[0]", line: 9 },
      { file: overlay, field: "replicas[0]", line: 15 },
      { file: overlay, field: "images[0]", line: 12 },
    ]);
    const pdb = find(renderKustomization(files, "overlay/apps/shop/overlays/production"), "PodDisruptionBudget", "shop");
    expect(pdb.source.file).toBe("overlay/apps/shop/overlays/production/pdb.yaml");
  });

  it("renders the catalog's gitops-app template output for every environment", async () => {
    const golden = await readFileMap(path.resolve(import.meta.dirname, "../../templates-catalog/gitops-app/tests/golden/defaults"));
    for (const env of ["dev", "staging", "production"]) {
      const rendered = renderKustomization(golden, `apps/checkout/overlays/${env}`);
      expect(rendered.map((r) => `${r.object.kind}/${r.object.metadata.namespace}/${r.object.metadata.name}`)).toEqual([`Service/checkout-${env}/checkout`, `Deployment/checkout-${env}/checkout`]);
    }
  });
});

describe("refusals and errors", () => {
  const cases: { dir: string; file: string; field: string | null; line: number | null; message: RegExp }[] = [
    { dir: "name-prefix", file: "name-prefix/kustomization.yaml", field: "namePrefix", line: 3, message: /not supported by Paved's kustomize subset: name prefixes need every reference/ },
    { dir: "unknown-field", file: "unknown-field/kustomization.yaml", field: "resource", line: 1, message: /not a kustomization field Paved knows/ },
    { dir: "generator", file: "generator/kustomization.yaml", field: "configMapGenerator", line: 2, message: /generators are not supported/ },
    { dir: "missing-resource", file: "missing-resource/kustomization.yaml", field: "resources[1]", line: 3, message: /servce\.yaml does not exist/ },
    { dir: "file-outside/app", file: "file-outside/app/kustomization.yaml", field: "resources[0]", line: 2, message: /outside the kustomization's folder/ },
    { dir: "remote", file: "remote/kustomization.yaml", field: "resources[0]", line: 2, message: /remote resources .* are not supported/ },
    { dir: "no-kustomization/app", file: "no-kustomization/app/kustomization.yaml", field: "resources[0]", line: 2, message: /no-kustomization\/plain has no kustomization\.yaml/ },
    { dir: "duplicate", file: "duplicate/kustomization.yaml", field: "resources[1]", line: 3, message: /Deployment web from errors\/duplicate\/web-copy\.yaml is already added from errors\/duplicate\/web\.yaml/ },
    { dir: "patch-no-target", file: "patch-no-target/patch.yaml", field: "patchesStrategicMerge[0]", line: 1, message: /no Deployment named wbe to patch/ },
    { dir: "replicas-no-target", file: "replicas-no-target/kustomization.yaml", field: "replicas[1]", line: 6, message: /named worker/ },
    { dir: "invalid-yaml", file: "invalid-yaml/deployment.yaml", field: null, line: 7, message: /: not valid YAML: Flow map in block collection must be sufficiently indented and end with a }$/ },
    { dir: "missing-name", file: "missing-name/objects.yaml", field: "metadata.name", line: 6, message: /ConfigMap needs a metadata\.name/ },
    { dir: "cycle/a", file: "cycle/b/kustomization.yaml", field: "resources[0]", line: 2, message: /errors\/cycle\/a → errors\/cycle\/b → errors\/cycle\/a is a cycle/ },
    { dir: "json-patch-fails", file: "json-patch-fails/kustomization.yaml", field: "patches[0]", line: 4, message: /cannot apply to Deployment web: index 1 is out of range/ },
    { dir: "image-typo", file: "image-typo/kustomization.yaml", field: "images[0].newtag", line: 5, message: /not supported by Paved's kustomize subset/ },
    { dir: "component", file: "component/kustomization.yaml", field: "kind", line: 2, message: /components are not supported/ },
    { dir: "patch-directive", file: "patch-directive/order.yaml", field: "spec.template.spec.$setElementOrder/containers", line: 1, message: /directive is not supported/ },
    { dir: "rename-option", file: "rename-option/kustomization.yaml", field: "patches[0].options.allowNameChange", line: 6, message: /may not rename objects/ },
    { dir: "two-kustomizations", file: "two-kustomizations", field: null, line: null, message: /more than one kustomization file/ },
  ];

  it.each(cases)("$dir: names $file, $field, line $line", ({ dir, file, field, line, message }) => {
    const e = errorOf(() => renderKustomization(files, `errors/${dir}`));
    expect({ file: e.file, field: e.field, line: e.line }).toEqual({ file: `errors/${file}`, field, line });
    expect(e.message).toMatch(message);
    // The message leads with the place, so it reads on its own in a log or a problem list.
    expect(e.message.startsWith(`errors/${file}${line ? `:${line}` : ""}: `)).toBe(true);
    expect(e.code).toBe("rule_violation");
  });

  it("refuses a directory that does not exist and a path out of the repository", () => {
    expect(errorOf(() => renderKustomization(files, "nowhere")).message).toBe("nowhere: has no kustomization.yaml");
    expect(errorOf(() => renderKustomization(files, "../outside")).message).toMatch(/outside the repository/);
    const escaping = { "kustomization.yaml": "resources:\n  - ../../etc\n" };
    expect(errorOf(() => renderKustomization(escaping, "")).message).toMatch(/kustomization\.yaml:2: resources\[0\]: \.\.\/\.\.\/etc is outside the repository/);
  });

  it("refuses $patch: delete in a list that is replaced whole, and a JSON patch without a target", () => {
    const base = { "deployment.yaml": files["patches/rollout.yaml"]! };
    const deleteInCrdList = {
      ...base,
      "kustomization.yaml": "resources: [deployment.yaml]\npatches:\n  - patch: |-\n      apiVersion: argoproj.io/v1alpha1\n      kind: Rollout\n      metadata:\n        name: worker\n      spec:\n        template:\n          spec:\n            containers:\n              - name: sidecar\n                $patch: delete\n",
    };
    expect(errorOf(() => renderKustomization(deleteInCrdList, "")).message).toMatch(/\$patch: delete needs a list merged by key/);
    const untargeted = { ...base, "kustomization.yaml": "resources: [deployment.yaml]\npatches:\n  - patch: |-\n      - op: remove\n        path: /spec/replicas\n" };
    expect(errorOf(() => renderKustomization(untargeted, "")).message).toBe("kustomization.yaml:3: patches[0]: a JSON patch needs a target");
  });

  it("refuses a patch that would rename what it patches", () => {
    const tree = {
      "deployment.yaml": files["overlay/apps/shop/base/deployment.yaml"]!,
      "kustomization.yaml": "resources: [deployment.yaml]\npatchesJson6902:\n  - target: { kind: Deployment, name: shop }\n    patch: |-\n      - op: replace\n        path: /metadata/name\n        value: boutique\n",
    };
    expect(errorOf(() => renderKustomization(tree, "")).message).toMatch(/would change Deployment shop's kind or name/);
  });
});
