// Delivery history at size, generated in SQL (generate_series), shared by the bench sections that
// need one: over two years, each of the services whose names start with `prefix` deploys dev →
// staging → production in turn, a new version every three deployments; 2 % fail, 1.4 % are rolled
// back, 1 % are rollbacks, the 19 newest are still running. Then incidents after production
// deployments, resolved, one in five naming no deployment.
import type { Db } from "../../lib/core/db/client.ts";

export async function insertHistory(client: Db, options: { prefix: string; services: number; deployments: number; incidents: number }): Promise<void> {
  const { prefix, services, deployments, incidents } = options;
  await client.$executeRawUnsafe(
    `WITH s AS (SELECT array_agg("name" ORDER BY "name") AS names FROM "services" WHERE "name" LIKE $1 || '%')
     INSERT INTO deployments (id, service, environment, version, strategy, kind, outcome, actor, started_at, finished_at, first_commit_at)
     SELECT gen_random_uuid(), s.names[1 + g % ${services}], (ARRAY['production', 'staging', 'dev'])[1 + (g / ${services}) % 3],
            '1.' || ((g / ${services * 3}) % 1000) || '.0', 'rolling',
            CASE WHEN g % 97 = 0 THEN 'rollback' ELSE 'deploy' END,
            CASE WHEN g % 50 = 0 THEN 'failed' WHEN g % 71 = 0 THEN 'rolled_back' WHEN g < 20 THEN 'in_progress' ELSE 'succeeded' END,
            'bench', t, CASE WHEN g < 20 THEN NULL ELSE t + interval '4 minutes' END,
            CASE WHEN g % 3 = 0 THEN NULL ELSE t - (g % 40) * interval '1 hour' END
       FROM s, generate_series(1, ${deployments}) AS g, LATERAL (SELECT now() - (g::double precision / ${deployments} * interval '730 days') AS t) x`,
    prefix,
  );
  await client.$executeRawUnsafe(`
    INSERT INTO incidents (id, fingerprint, started_at, alertname, service, environment, severity, status, summary, labels, resolved_at, mttr_seconds, preceding_deployment_id, preceding_deployment_version, updated_at)
    SELECT gen_random_uuid(), 'bench-' || rn, d.started_at + interval '20 minutes', 'SloErrorBudgetBurn', d.service, d.environment, 'page', 'resolved', 'bench', '{}',
           d.started_at + interval '20 minutes' + (rn % 40 + 2) * interval '1 minute', (rn % 40 + 2) * 60,
           CASE WHEN rn % 5 = 0 THEN NULL ELSE d.id END, CASE WHEN rn % 5 = 0 THEN NULL ELSE d.version END,
           d.started_at + interval '20 minutes' + (rn % 40 + 2) * interval '1 minute'
      FROM (SELECT id, service, environment, version, started_at, row_number() OVER (ORDER BY started_at) AS rn FROM deployments WHERE environment = 'production' AND kind = 'deploy') d
     WHERE rn % 6 = 0 LIMIT ${incidents}`);
}
