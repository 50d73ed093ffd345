import type { ComponentProps } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { cn } from "@/components/ui/cn";

// Documents are shown inside a page that has its own h1: every heading moves one level down.
const demoted: Components = {
  h1: (props: ComponentProps<"h2">) => <h2 {...props} />,
  h2: (props: ComponentProps<"h3">) => <h3 {...props} />,
  h3: (props: ComponentProps<"h4">) => <h4 {...props} />,
  h4: (props: ComponentProps<"h5">) => <h5 {...props} />,
  h5: (props: ComponentProps<"h6">) => <h6 {...props} />,
};

/** Markdown from templates and pull requests. react-markdown renders no raw HTML, so nothing in
 * a README can inject markup into Paved's pages. */
export function Markdown({ children, className }: { children: string; className?: string }) {
  return (
    <div className={cn("prose prose-sm max-w-none dark:prose-invert", className)}>
      <ReactMarkdown remarkPlugins={[remarkGfm]} components={demoted}>
        {children}
      </ReactMarkdown>
    </div>
  );
}
