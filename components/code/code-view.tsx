import { cn } from "@/components/ui/cn";

/** A file's content with line numbers. */
export function CodeView({ content, className, testId }: { content: string; className?: string; testId?: string }) {
  const lines = content.replace(/\n$/, "").split("\n");
  const width = String(lines.length).length;
  return (
    <pre className={cn("overflow-auto rounded-md border border-border bg-surface-2/60 py-3 font-mono text-xs leading-5", className)} data-testid={testId}>
      <code>
        {lines.map((line, i) => (
          <div key={i} className="flex px-3 hover:bg-surface-2">
            <span className="mr-4 inline-block shrink-0 select-none text-right text-subtle" style={{ width: `${width}ch` }} aria-hidden>
              {i + 1}
            </span>
            <span className="whitespace-pre">{line || " "}</span>
          </div>
        ))}
      </code>
    </pre>
  );
}

/** A unified diff, added and removed lines coloured. */
export function DiffView({ patch, className, testId }: { patch: string; className?: string; testId?: string }) {
  const lines = patch.split("\n").filter((l) => !l.startsWith("===") && !l.startsWith("Index:"));
  return (
    <pre className={cn("overflow-auto rounded-md border border-border bg-surface py-2 font-mono text-xs leading-5", className)} data-testid={testId}>
      <code>
        {lines.map((line, i) => {
          const kind = line.startsWith("+++") || line.startsWith("---") ? "file" : line.startsWith("@@") ? "hunk" : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : "ctx";
          return (
            <div
              key={i}
              className={cn(
                "whitespace-pre px-3",
                kind === "add" && "bg-success-soft text-success",
                kind === "del" && "bg-danger-soft text-danger",
                kind === "hunk" && "bg-info-soft text-info",
                kind === "file" && "font-semibold text-muted",
              )}
            >
              {line || " "}
            </div>
          );
        })}
      </code>
    </pre>
  );
}
