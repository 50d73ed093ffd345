// Insights at size for the bench, on a database of its own: two years of history (1,000,000
// deployments over 240 services of 12 teams, 50,000 incidents), generated in SQL with
// generate_series; then the roll-up job (a full recompute, then an incremental run), then the
// summary's p95 over two years for the organisation and for one team, the last 30 days, the
// per-team table and a page of records.
import { createClient, type Db } from "../../lib/core/db/client.ts";
import { migrate } from "../../lib/core/db/migrate.ts";
import { addDays, dayOf } from "../../lib/insights/definitions.ts";
import { insightsRecords, insightsSummary, insightsTeams } from "../../lib/insights/read.ts";
import { refreshRollups } from "../../lib/insights/rollup.ts";
import { RecordsQuery } from "../../lib/insights/schemas.ts";
import { seedDemoOrganisation } from "../../prisma/seed/demo-organisation.ts";
import { percentile, timeEach } from "./catalog.ts";
import { createBenchDatabase } from "./database.ts";
import { insertHistory } from "./history.ts";

type Record = (figure: string, target: string, result: string, ok: boolean | null) => void;

const SERVICES = 240;
const TEAMS = 12;

export async function benchInsights(adminUrl: string, record: Record): Promise<void> {
  const database = await createBenchDatabase(adminUrl, "insights");
  const url = database.url;
  let client: Db | undefined;
  try {
    await migrate(url.toString());
    client = createClient(url.toString(), 4);
    await seedDemoOrganisation(client);
    await client.team.createMany({ data: Array.from({ length: TEAMS - 3 }, (_, i) => ({ slug: `bench-team-${i + 1}`, name: `Bench team ${i + 1}` })) });
    const teams = await client.team.findMany({ orderBy: { slug: "asc" }, select: { id: true, slug: true } });
    await client.service.createMany({
      data: Array.from({ length: SERVICES }, (_, i) => ({ name: `svc-${String(i).padStart(3, "0")}`, teamId: (teams[i % teams.length] as { id: string }).id, repository: `bench/svc-${i}`, environments: ["dev", "staging", "production"] })),
    });

    let started = performance.now();
    await insertHistory(client, { prefix: "svc-", services: SERVICES, deployments: 1_000_000, incidents: 50_000 });
    // The last adoption scan found templates in every other repository.
    const scan = await client.adoptionScan.create({ data: { finishedAt: new Date(), repositories: SERVICES, adopting: SERVICES / 2 } });
    await client.$executeRawUnsafe(`
      INSERT INTO adoption_records (id, repo, team_id, template_name, version, source, path, scan_id, scanned_at)
      SELECT gen_random_uuid(), s.repository, s.team_id, 'node-ci-cd', '1.2.0', 'workflow', '.github/workflows/ci.yml', '${scan.id}', now()
      FROM services s WHERE s.name LIKE 'svc-%' AND right(s.name, 1)::int % 2 = 0`);
    await client.$executeRawUnsafe(`ANALYZE`);
    const counts = (await client.$queryRawUnsafe<{ d: number; i: number }[]>(`SELECT (SELECT count(*) FROM deployments)::int AS d, (SELECT count(*) FROM incidents)::int AS i`))[0];
    record(
      `bench set-up: ${counts?.d.toLocaleString("en-US")} deployments and ${counts?.i.toLocaleString("en-US")} incidents over two years (INSERT … SELECT generate_series)`,
      "(set-up)",
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
      null,
    );

    const today = dayOf(new Date());
    const twoYears = { from: addDays(today, -729), to: today };
    const team = (teams.find((t) => t.slug === "bench-team-1") as { slug: string }).slug;

    // Without roll-ups every read aggregates the raw rows: the figure they exist for.
    started = performance.now();
    await insightsSummary(client, twoYears);
    record("summary over two years from the raw rows (no roll-ups yet), once", "(baseline)", `${((performance.now() - started) / 1000).toFixed(2)} s`, null);

    started = performance.now();
    const full = await refreshRollups(client, { full: true });
    record(`roll-up job, full recompute (${full.days} days × teams × environments)`, "(no target)", `${((performance.now() - started) / 1000).toFixed(1)} s`, null);
    started = performance.now();
    const incremental = await refreshRollups(client);
    record(`roll-up job, hourly run (the last ${incremental.days} days)`, "(no target)", `${((performance.now() - started) / 1000).toFixed(2)} s`, null);

    const times = (fn: () => Promise<unknown>) => timeEach(30, async () => void (await fn()));
    for (let i = 0; i < 3; i++) await insightsSummary(client, twoYears);
    const org = await times(() => insightsSummary(client as Db, twoYears));
    record(
      "insights summary, two years, whole organisation (1,000,000 deployments, 50,000 incidents), p95",
      "≤ 500 ms",
      `${percentile(org, 95)} ms (p50 ${percentile(org, 50)})`,
      percentile(org, 95) <= 500,
    );
    const oneTeam = await times(() => insightsSummary(client as Db, { ...twoYears, team }));
    record("insights summary, two years, one team, p95", "≤ 500 ms", `${percentile(oneTeam, 95)} ms (p50 ${percentile(oneTeam, 50)})`, percentile(oneTeam, 95) <= 500);
    const month = await times(() => insightsSummary(client as Db, {}));
    record("insights summary, last 30 days, p95", "(no target)", `${percentile(month, 95)} ms (p50 ${percentile(month, 50)})`, null);
    const perTeam = await times(() => insightsTeams(client as Db, twoYears));
    record(`insights per team (${TEAMS} teams), two years, p95`, "(no target)", `${percentile(perTeam, 95)} ms (p50 ${percentile(perTeam, 50)})`, null);
    const page = await times(() => insightsRecords(client as Db, RecordsQuery.parse({ metric: "changeFailureRate", from: addDays(today, -89), to: today })));
    record("insights records: a page of change failures over 90 days, p95", "(no target)", `${percentile(page, 95)} ms (p50 ${percentile(page, 50)})`, null);
  } finally {
    await client?.$disconnect();
    await database.drop();
  }
}
