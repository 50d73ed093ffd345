// The notes under the table in docs/benchmarks.md: what stands behind the figures, and, for
// each target a run missed, the reason and the plan. Which notes apply depends on the run's rows.

export interface NoteRow {
  figure: string;
  result: string;
  ok: boolean | null;
}

export function benchNotes(rows: readonly NoteRow[]): string[] {
  const row = (prefix: string) => rows.find((r) => r.figure.startsWith(prefix));
  const missed = (prefix: string) => row(prefix)?.ok === false;
  const result = (prefix: string) => row(prefix)?.result.split(" (")[0] ?? "not measured";
  const notes: string[][] = [
    [
      "- The load generator (autocannon) runs on the same machine as the server and takes one of its",
      "  cores, so throughput figures are lower bounds for a dedicated server, and figures near their",
      "  target can land on either side of it from one run to the next. Three whole runs on",
      "  2026-11-27 gave: the page of 50 services at 10 clients 31.3, 36.7 and 37.7 ms (≤ 40), in the",
      "  combined database 36, 40.7 and 37 ms; `npm start` on an existing data folder 4.6, 5.2 and",
      "  4.6 s (≤ 5); the catalog sync of 1,000 × 5 versions 9.7 and 10.5 s in the last two (≤ 10;",
      "  8.8 s in an earlier run that stopped part-way).",
    ],
  ];
  if (missed("catalog sync: 1,000 templates")) {
    notes.push([
      `- **Catalog sync of 1,000 templates × 5 versions ≤ 10 s: not met in this run** (${result("catalog sync: 1,000 templates")}; within the`,
      "  spread above). The versions are inserted in batches, but a fresh catalog then updates each of",
      "  its 1,000 templates on its own to set its latest version. Plan: compute the latest version",
      "  before the templates are created, so that a first sync makes no per-template updates.",
    ]);
  }
  if (missed("GET /api/v1/services p95, 50 concurrent clients")) {
    notes.push([
      "- **Authenticated list route, p95 ≤ 30 ms at 50 concurrent clients: not met here.** At 50",
      "  clients a p95 of 30 ms needs about 1,700 answers a second from one process. The baseline row",
      "  shows that Next.js alone, answering a route that does nothing, stays well below that on this",
      "  2-core machine. Paved's own work per request is one primary-key read (the data version) and",
      "  answers from its caches (the caller, the page's JSON). Plan: the web tier is stateless, so",
      "  the figure is reached by running more web processes behind a load balancer (with",
      "  `PAVED_WORKER=false` and separate `npm run worker`), measured with the load generator on its",
      "  own machine.",
    ]);
  }
  notes.push([
    `- **A page of 50 services at 10 concurrent clients** (issue 5): ${missed("GET /api/v1/services?limit=50") ? "**not met in this run**" : "met"}. The caller and`,
    "  the pages are cached per process under the data version (a number triggers move on in the",
    "  same transaction as any change to people, tokens, teams, services and dependencies, so no",
    "  instance serves anything older than the last commit), and PostgreSQL writes the page's JSON.",
    "  Before: 95 ms (each request spent about 3 ms of the web process and 3 ms of PostgreSQL).",
    ...(missed("one database, every size: a page of 50")
      ? [`  In the combined database (5,000 services) it missed in this run: ${result("one database, every size: a page of 50")}, within the spread above.`]
      : []),
  ]);
  notes.push([
    "- **Load, 200 concurrent clients for 60 s on one web process** (section `load`): each web",
    "  process admits 8 requests at once (`PAVED_WEB_CONCURRENCY`); the rest wait in order, and",
    "  past 1,000 waiting get 503 with Retry-After. Without the gate, 200 clients made a 160 MB heap",
    "  abort; docs/operations.md has throughput and memory for other settings.",
  ]);
  notes.push([
    `- **Web server RSS < 300 MB** (issue 2): ${missed("web server RSS after the load") ? "**not met**" : "met"} after the postgres section's loads (${result("web server RSS after the load")}),`,
    `  **not met under 200 clients** (row \`web server memory across that load\`: ${result("web server memory across that load")}).`,
    "  A web server that had served each API route once held about 260 MB in one measurement: about",
    "  90 MB of JavaScript heap, 47 MB of Node's own code, and about 120 MB outside the heap not yet",
    "  broken down. The default heap bound (256 MB) and 8",
    "  places were chosen for throughput: `PAVED_WEB_CONCURRENCY=4` with `PAVED_WEB_HEAP_MB=192`",
    "  stays under 300 MB under 200 clients at about the same throughput (docs/operations.md), but",
    "  leaves fewer places for requests waiting on a slow GitHub or Argo CD. Plan: break down the",
    "  memory outside the heap (heap snapshot and smaps of an idle server) and cut what is loaded",
    "  but unused.",
  ]);
  if (missed("npm start on an existing data folder")) {
    notes.push([
      `- **\`npm start\` on an existing data folder ≤ 5 s: not met in this run** (${result("npm start on an existing data folder")}; within the`,
      "  spread above). Before the server listens, the launcher checks the build, the migrations, the",
      "  shipped catalog and the sandbox's repositories. Plan: time those steps and skip the ones",
      "  whose inputs have not changed since the last start.",
    ]);
  }
  notes.push([
    "- **One database with every size** (section `combined`): a generator fills one database with",
    "  1,000 templates × 5 versions, 5,000 services / ~20,000 dependencies, 1,000,000 deployments,",
    "  50,000 incidents and 1,000 SLOs, and the read figures are measured through the API against",
    "  all of it at once. The other sections keep databases of their own where a figure needs a",
    "  shape of its own (the editor at exactly 500 nodes, the matrix's GitOps repository of 500",
    "  services, the webhook's worker) or writes (imports, syncs).",
  ]);
  return ["## Notes", "", ...notes.flat(), ""];
}
