// Which saved files change what the local stack runs: the image's build
// context (app/.dockerignore lets in go.mod, go.sum, build.sh, cmd/ and
// internal/, without tests), and the Pulumi program with its local stack file.

export type SourceKind = "app" | "program";

const appContext = /^app\/(?:go\.mod|go\.sum|build\.sh|Dockerfile|\.dockerignore|(?:cmd|internal)\/.+)$/;
const appExcluded = /(?:_test\.go|\/testdata\/.*)$/;
const program = /^(?:index\.ts|Pulumi\.yaml|Pulumi\.local\.yaml|package\.json|components\/.+\.(?:ts|json|yaml))$/;
/** Editors' swap, backup and lock files. */
const scratch = /(?:^|\/)(?:\.#[^/]*|#[^/]*#|[^/]*~|[^/]*\.sw[px]|4913)$/;

/** What a path (relative to the repository, with /) is to the inner loop, or undefined when it is neither. */
export function sourceKind(relPath: string): SourceKind | undefined {
  if (scratch.test(relPath)) {
    return undefined;
  }
  if (appContext.test(relPath) && !appExcluded.test(relPath)) {
    return "app";
  }
  return program.test(relPath) ? "program" : undefined;
}
