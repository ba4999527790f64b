/**
 * The package as a user gets it: the repository's files are copied to a temporary directory as a
 * clean clone has them (no dist/), `npm pack` runs there (its prepack builds dist/), and the tarball
 * is installed with `npm install <tarball>` into a new `"type": "module"` project. Offline: the project
 * lists and locks the package's dependencies at the versions of the repository's lockfile, whose
 * tarballs are in the npm cache after `npm ci`.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The repository root. */
export const repo = fileURLToPath(new URL("../../", import.meta.url));

/** What `npm pack --json` reports of the tarball. */
interface PackReport {
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

/** A lockfile entry, as npm writes it. */
interface LockEntry {
  readonly version?: string;
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly link?: boolean;
}

export interface PackedInstall {
  /** The scratch project, with the package in its node_modules. */
  readonly app: string;
  /** The paths inside the tarball. */
  readonly tarballFiles: readonly string[];
  /** Top-level entries that packing added to the clean copy of the repository. */
  readonly addedByPacking: readonly string[];
  /** Runs a command in the scratch project; rejects on a non-zero exit or after `timeoutMs`. */
  exec(file: string, args: readonly string[], timeoutMs?: number): Promise<{ stdout: string; stderr: string }>;
  /** Deletes every temporary directory. */
  remove(): Promise<void>;
}

/**
 * The environment for child commands: npm, when it runs the tests, exports the repository as its
 * prefix and the repository's package fields, which must not reach npm run elsewhere.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_config_local_prefix|npm_package_|npm_lifecycle_|init_cwd$)/i.test(key)) env[key] = value;
  }
  return env;
}

/** The repository's files that a clone has: tracked ones plus new ones not ignored, minus deleted ones (and node_modules, even as a link). */
async function cloneFiles(): Promise<string[]> {
  const { stdout } = await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repo });
  const { stdout: deleted } = await run("git", ["ls-files", "-z", "--deleted"], { cwd: repo });
  const gone = new Set(deleted.split("\0"));
  return [...new Set(stdout.split("\0"))].filter((path) => path !== "" && !gone.has(path) && path.split("/")[0] !== "node_modules");
}

/**
 * The scratch project before the package is installed: the package's dependencies at the versions the
 * repository's lockfile has (so npm finds everything in its cache and needs no registry).
 */
async function dependenciesProject(): Promise<{ manifest: object; lock: object }> {
  const { dependencies } = JSON.parse(await readFile(join(repo, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  const repoLock = JSON.parse(await readFile(join(repo, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const direct: Record<string, string> = {};
  const packages: Record<string, object> = {};
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    if (!path.startsWith("node_modules/") || entry.dev || entry.devOptional || entry.link) continue;
    packages[path] = entry;
    const name = path.slice("node_modules/".length);
    if (name in dependencies && entry.version !== undefined) direct[name] = entry.version;
  }
  packages[""] = { name: "app", dependencies: direct };
  return {
    manifest: { name: "app", private: true, type: "module", dependencies: direct },
    lock: { name: "app", lockfileVersion: 3, requires: true, packages },
  };
}

/** Packs the repository from a clean copy and installs the tarball into a new project. */
export async function packAndInstall(): Promise<PackedInstall> {
  const root = await mkdtemp(join(tmpdir(), "hakuban-package-"));
  const clone = join(root, "clone");
  const app = join(root, "app");
  const env = childEnv();
  try {
    for (const path of await cloneFiles()) {
      await mkdir(dirname(join(clone, path)), { recursive: true });
      await cp(join(repo, path), join(clone, path));
    }
    await symlink(join(repo, "node_modules"), join(clone, "node_modules"), "dir");
    const before = new Set(await readdir(clone));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", root], { cwd: clone, env });
    const [report] = JSON.parse(stdout) as PackReport[];
    if (report === undefined) throw new Error(`npm pack reported no tarball: ${stdout}`);
    const addedByPacking = (await readdir(clone)).filter((entry) => !before.has(entry));

    const tarball = join(root, report.filename);
    const { manifest, lock } = await dependenciesProject();
    await mkdir(app);
    await writeFile(join(app, "package.json"), JSON.stringify(manifest));
    await writeFile(join(app, "package-lock.json"), JSON.stringify(lock));
    await run("npm", ["install", tarball, "--offline", "--no-audit", "--no-fund"], { cwd: app, env });

    return {
      app,
      tarballFiles: report.files.map((file) => file.path),
      addedByPacking,
      exec: (file, args, timeoutMs = 20_000) => run(file, [...args], { cwd: app, env, timeout: timeoutMs }),
      remove: () => rm(root, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
