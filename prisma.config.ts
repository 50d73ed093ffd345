// Prisma 7 reads no .env by itself: the CLI's datasource URL comes from here. Paved applies
// migrations with its own runner (scripts/migrate.ts), so the URL only matters for tools that
// need one; a placeholder keeps `prisma generate` working with nothing configured.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/paved" },
});
