/** Recursive file listing in a stable (sorted) order, so document order never depends on the filesystem. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import _ from "lodash";

export function walkFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const e of _.sortBy(readdirSync(d, { withFileTypes: true }), (e) => e.name)) {
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) out.push(p);
    }
  };
  visit(dir);
  return out;
}
