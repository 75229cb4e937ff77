// The content status as authors read it: problems grouped by file, errors
// first, each with a link to the file at its line when content comes from
// GitHub.

import type { ContentProblem, GetContentStatusResponse } from "../gen/lens/v1/content_pb";

/** The problems of one file. */
export interface FileProblems {
  path: string;
  /** Whether the file is a draft (not served to learners). */
  draft: boolean;
  errors: number;
  problems: ContentProblem[];
}

/** Problems grouped by file: files with errors first, then by path. */
export function groupByFile(problems: ContentProblem[]): FileProblems[] {
  const files = new Map<string, FileProblems>();
  for (const problem of problems) {
    let file = files.get(problem.path);
    if (!file) {
      file = { path: problem.path, draft: problem.draft, errors: 0, problems: [] };
      files.set(problem.path, file);
    }
    if (problem.isError) file.errors += 1;
    file.problems.push(problem);
  }
  return [...files.values()].sort(
    (a, b) => Number(a.draft) - Number(b.draft) || Number(b.errors > 0) - Number(a.errors > 0) || a.path.localeCompare(b.path),
  );
}

/** A link to `path` at `line` from the status's template; empty without one. */
export function fileLink(status: Pick<GetContentStatusResponse, "fileUrlTemplate">, path: string, line: number): string {
  if (!status.fileUrlTemplate) return "";
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return status.fileUrlTemplate.replace("{path}", encoded).replace("{line}", String(Math.max(line, 1)));
}
