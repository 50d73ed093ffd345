// ESLint 9 flat config. `npm run lint` runs it with --max-warnings 0, so a warning fails CI too.
// tests/infra/lint-boundary.test.ts checks that the lib/ boundary rule below still fires.
import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

/**
 * lib/ is the domain and must outlive the framework (STYLE.md, habit 2): it never imports the
 * routes (app/) or the React components (components/). Matched on the import string, both as the
 * `@/` alias and as a relative path climbing out of lib/.
 */
export const LIB_BOUNDARY_MESSAGE =
  "lib/ must not import from app/ or components/: move the shared code into lib/ and import it from there.";

const libBoundary = {
  patterns: [
    { regex: "^@/(app|components)(/|$)", message: LIB_BOUNDARY_MESSAGE },
    { regex: "^(\\./)?(\\.\\./)+(app|components)(/|$)", message: LIB_BOUNDARY_MESSAGE },
  ],
};

export default tseslint.config(
  {
    name: "paved/ignores",
    ignores: [
      ".next/**",
      "node_modules/**",
      "lib/core/db/generated/**",
      ".data/**",
      "test-results/**",
      "playwright-report/**",
      "coverage/**",
      "e2e/.artifacts/**",
      "next-env.d.ts",
    ],
  },
  {
    name: "paved/files",
    files: ["**/*.{ts,tsx,mts,cts,js,mjs,cjs}"],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    name: "paved/typescript",
    files: ["**/*.{ts,tsx,mts,cts}"],
    rules: {
      // `_`-prefixed names are deliberately unused (placeholders in signatures and destructuring).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  {
    name: "paved/react",
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "**/*.tsx"],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.flat["recommended-latest"].rules,
      // Says only that the React Compiler would skip memoizing a component (e.g. one using
      // TanStack Table). Paved does not enable the React Compiler, so it reports nothing to fix.
      "react-hooks/incompatible-library": "off",
    },
  },
  {
    name: "paved/next",
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    plugins: nextPlugin.configs["core-web-vitals"].plugins,
    rules: {
      ...nextPlugin.configs["core-web-vitals"].rules,
      // Only meaningful for the Pages Router: with no pages/ folder it prints a warning per run.
      "@next/next/no-html-link-for-pages": "off",
    },
  },
  {
    name: "paved/lib-boundary",
    files: ["lib/**/*.{ts,tsx,mts,cts,js,mjs}"],
    rules: {
      "no-restricted-imports": ["error", libBoundary],
      // no-restricted-imports does not look at `import()`; the same rule for dynamic imports.
      // (esquery regexes cannot contain "/", hence \x2F.)
      "no-restricted-syntax": [
        "error",
        ...["^@\\x2F(app|components)(\\x2F|$)", "^(\\.\\x2F)?(\\.\\.\\x2F)+(app|components)(\\x2F|$)"].map((re) => ({
          selector: `ImportExpression[source.value=/${re}/]`,
          message: LIB_BOUNDARY_MESSAGE,
        })),
      ],
    },
  },
);
