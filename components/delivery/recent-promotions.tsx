"use client";

// The latest promotions under the matrix, polled so that a run's outcome shows up without a reload.
import { useQuery } from "@tanstack/react-query";
import { ArrowRight, Rocket } from "lucide-react";
import Link from "next/link";
import { api } from "@/components/api";
import { relativeTime } from "@/components/audit/format";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import type { PromotionDto } from "@/lib/delivery/schemas";
import { PromotionStatusBadge } from "./status";

const LIMIT = 10;

export function RecentPromotions({ initial }: { initial: PromotionDto[] }) {
  const { data } = useQuery({
    queryKey: ["delivery", "promotions", LIMIT],
    queryFn: async () => (await api<{ items: PromotionDto[] }>(`/api/v1/promotions?limit=${LIMIT}`)).items,
    initialData: initial,
    refetchInterval: 5000,
  });
  if (data.length === 0) {
    return (
      <EmptyState icon={Rocket} title="No promotions yet">
        Promote services from one environment to the next with the Promote button above.
      </EmptyState>
    );
  }
  return (
    <Table data-testid="recent-promotions">
      <THead>
        <tr>
          <Th>#</Th>
          <Th>Environment</Th>
          <Th>Services</Th>
          <Th>Status</Th>
          <Th className="text-right">Requested</Th>
        </tr>
      </THead>
      <TBody>
        {data.map((p) => (
          <Tr key={p.id} data-testid={`promotion-row-${p.number}`}>
            <Td>
              <Link href={`/delivery/promotions/${p.id}`} className="font-medium text-accent hover:underline">
                #{p.number}
              </Link>
            </Td>
            <Td className="whitespace-nowrap">
              {p.sourceEnvironment ? (
                <span className="inline-flex items-center gap-1">
                  <span className="text-muted">{p.sourceEnvironment}</span>
                  <ArrowRight className="size-3 text-subtle" aria-hidden />
                </span>
              ) : null}{" "}
              <span className="font-medium">{p.environment}</span>
            </Td>
            <Td>
              <ul className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs">
                {p.services.slice(0, 4).map((s) => (
                  <li key={s.name} className="whitespace-nowrap">
                    <span className="font-mono font-medium">{s.name}</span>{" "}
                    <span className="font-mono text-muted">
                      {s.fromVersion ?? "—"} → {s.toVersion}
                    </span>
                  </li>
                ))}
                {p.services.length > 4 ? <li className="text-subtle">+{p.services.length - 4} more</li> : null}
              </ul>
            </Td>
            <Td>
              <PromotionStatusBadge status={p.status} />
            </Td>
            <Td className="whitespace-nowrap text-right text-muted">
              <span className="text-foreground">{p.requestedBy}</span> · <span suppressHydrationWarning>{relativeTime(p.createdAt)}</span>
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
