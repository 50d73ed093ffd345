"use client";

import * as Switch from "@radix-ui/react-switch";
import { FieldError, Input, Label, NativeSelect } from "@/components/ui/input";
import { cn } from "@/components/ui/cn";

/** One property of a template's parameter schema (JSON Schema 2020-12), as far as forms need. */
export interface SchemaProperty {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  items?: { type?: string; enum?: unknown[] };
}

export interface ParameterSchemaShape {
  properties?: Record<string, SchemaProperty>;
  required?: string[];
}

function typeOf(p: SchemaProperty): string {
  return Array.isArray(p.type) ? (p.type.find((t) => t !== "null") ?? "string") : (p.type ?? "string");
}

/**
 * A form generated from the parameter schema: selects for enums, switches for booleans, number
 * fields, comma-separated lists for string arrays, text fields otherwise. Values are kept typed;
 * errors come from the same validator the server uses.
 */
export function ParameterForm({
  schema,
  values,
  errors,
  onChange,
  onBlur,
  order = [],
}: {
  schema: ParameterSchemaShape;
  /** The author's order of the parameters. */
  order?: readonly string[];
  values: Record<string, unknown>;
  errors: Record<string, string>;
  onChange: (name: string, value: unknown) => void;
  onBlur?: (name: string) => void;
}) {
  const required = new Set(schema.required ?? []);
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  const entries = Object.entries(schema.properties ?? {}).sort(([a], [b]) => rank(a) - rank(b));
  if (entries.length === 0) return <p className="text-sm text-muted">This template takes no parameters.</p>;
  return (
    <div className="space-y-5">
      {entries.map(([name, p]) => {
        const id = `param-${name}`;
        const type = typeOf(p);
        const error = errors[name];
        const describedBy = [p.description ? `${id}-help` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
        const label = (
          <Label htmlFor={id} className="flex items-center gap-2">
            <span className="font-mono">{name}</span>
            {p.title ? <span className="font-normal text-muted">{p.title}</span> : null}
            {required.has(name) ? <span className="text-xs font-normal text-danger">required</span> : null}
          </Label>
        );
        const help = p.description ? (
          <p id={`${id}-help`} className="mt-1 text-xs text-muted">
            {p.description}
          </p>
        ) : null;
        if (type === "boolean") {
          const checked = values[name] === true;
          return (
            <div key={name} className="flex items-start justify-between gap-6" data-field={name}>
              <div>
                {label}
                {help}
                <FieldError id={`${id}-error`}>{error}</FieldError>
              </div>
              <Switch.Root
                id={id}
                checked={checked}
                onCheckedChange={(v) => onChange(name, v)}
                aria-describedby={describedBy}
                className={cn("relative mt-1 h-6 w-11 shrink-0 rounded-full transition-colors", checked ? "bg-accent" : "bg-border-strong")}
              >
                <Switch.Thumb className={cn("block size-5 translate-x-0.5 rounded-full bg-white shadow transition-transform", checked && "translate-x-[22px]")} />
              </Switch.Root>
            </div>
          );
        }
        let control;
        if (p.enum) {
          control = (
            <NativeSelect
              id={id}
              className="mt-1"
              value={values[name] === undefined ? "" : JSON.stringify(values[name])}
              onChange={(e) => onChange(name, e.target.value === "" ? undefined : JSON.parse(e.target.value))}
              onBlur={() => onBlur?.(name)}
              aria-invalid={Boolean(error)}
              aria-describedby={describedBy}
            >
              {required.has(name) && p.default === undefined ? <option value="">Choose…</option> : null}
              {p.enum.map((v) => (
                <option key={JSON.stringify(v)} value={JSON.stringify(v)}>
                  {String(v)}
                </option>
              ))}
            </NativeSelect>
          );
        } else if (type === "integer" || type === "number") {
          control = (
            <Input
              id={id}
              type="number"
              className="mt-1"
              step={type === "integer" ? 1 : "any"}
              min={p.minimum}
              max={p.maximum}
              value={values[name] === undefined ? "" : String(values[name])}
              onChange={(e) => onChange(name, e.target.value === "" ? undefined : Number(e.target.value))}
              onBlur={() => onBlur?.(name)}
              aria-invalid={Boolean(error)}
              aria-describedby={describedBy}
            />
          );
        } else if (type === "array") {
          const list = Array.isArray(values[name]) ? (values[name] as unknown[]) : [];
          control = (
            <Input
              id={id}
              className="mt-1"
              placeholder="comma-separated"
              value={list.join(", ")}
              onChange={(e) =>
                onChange(
                  name,
                  e.target.value
                    .split(",")
                    .map((s) => s.trim())
                    .filter(Boolean),
                )
              }
              onBlur={() => onBlur?.(name)}
              aria-invalid={Boolean(error)}
              aria-describedby={describedBy}
            />
          );
        } else {
          control = (
            <Input
              id={id}
              className="mt-1 font-mono"
              value={typeof values[name] === "string" ? (values[name] as string) : ""}
              placeholder={typeof p.default === "string" ? p.default : undefined}
              onChange={(e) => onChange(name, e.target.value === "" ? undefined : e.target.value)}
              onBlur={() => onBlur?.(name)}
              aria-invalid={Boolean(error)}
              aria-describedby={describedBy}
            />
          );
        }
        return (
          <div key={name} data-field={name}>
            {label}
            {control}
            {help}
            <FieldError id={`${id}-error`}>{error}</FieldError>
          </div>
        );
      })}
    </div>
  );
}
