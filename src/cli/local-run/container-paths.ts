/**
 * How a local job finds `/opt/ml` where SageMaker puts it, without touching the machine's own
 * `/opt/ml`:
 *
 * - `namespace`: the job runs in a private mount namespace (`unshare -rm`) where the job's folder
 *   is bind-mounted at `/opt/ml` and a private folder at `/tmp`; the job sees exactly the
 *   container's paths and nothing leaks to the host.
 * - `rewrite`: where the kernel forbids unprivileged namespaces (or off Linux), `/opt/ml` and
 *   `/tmp` in the entrypoint, arguments, environment and working directory are rewritten to the
 *   job's folders. A script that hard-codes a container path the definition does not pass fails.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** How container paths are provided. */
export type ContainerPathMode = 'namespace' | 'rewrite';

/** The mode a run uses, and why when it is not the namespace. */
export interface ContainerPaths {
  readonly mode: ContainerPathMode;
  /** Why the namespace is not used. */
  readonly reason?: string;
}

/** A command in the container's terms (paths under /opt/ml and /tmp). */
export interface ContainerCommand {
  readonly argv: string[];
  /** The working directory inside the container. */
  readonly cwd: string;
  readonly env: Record<string, string>;
}

/** The host folders that stand for the container's. */
export interface JobFolders {
  /** What the job sees as `/opt/ml`. */
  readonly optMl: string;
  /** What the job sees as `/tmp`. */
  readonly tmp: string;
  /** A scratch folder for the namespace's view of the host's `/opt`. */
  readonly scratch: string;
}

/** The host command that runs a container command. */
export interface HostCommand {
  readonly file: string;
  readonly args: string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
}

/**
 * The shell script run inside the namespace: `$1` the job's /opt/ml, `$2` its /tmp, `$3` a scratch
 * folder, `$4` the working directory, then the command. When the host has no `/opt/ml`, `/opt`
 * gets a tmpfs with the host's entries bound back in, so `/opt/ml` can be created in it.
 */
const MOUNT_SCRIPT = [
  'set -e',
  'ml="$1"; tmp="$2"; scratch="$3"; cwd="$4"; shift 4',
  'if [ ! -d /opt/ml ]; then',
  '  mkdir -p "$scratch/opt"',
  '  if [ -d /opt ]; then mount --rbind /opt "$scratch/opt"; fi',
  '  mount -t tmpfs -o mode=0755 trainyard-opt /opt',
  '  for entry in "$scratch"/opt/* "$scratch"/opt/.[!.]*; do',
  '    [ -e "$entry" ] || [ -L "$entry" ] || continue',
  '    name="${entry##*/}"',
  '    if [ -L "$entry" ]; then ln -s "$(readlink "$entry")" "/opt/$name"',
  '    elif [ -d "$entry" ]; then mkdir "/opt/$name"; mount --rbind "$entry" "/opt/$name"',
  '    else : > "/opt/$name"; mount --bind "$entry" "/opt/$name"; fi',
  '  done',
  '  mkdir /opt/ml',
  'fi',
  'mount --bind "$ml" /opt/ml',
  'mount --bind "$tmp" /tmp',
  'cd "$cwd"',
  'exec "$@"',
].join('\n');

/**
 * Picks the mode: `namespace` when `unshare -rm` can bind-mount here (probed once in `scratch`),
 * else `rewrite` with the reason.
 */
export function chooseContainerPaths(wanted: 'auto' | ContainerPathMode, scratch: string): ContainerPaths {
  if (wanted === 'rewrite') {
    return { mode: 'rewrite', reason: 'asked for with --container-paths rewrite' };
  }
  let reason: string;
  if (process.platform !== 'linux') {
    reason = `mount namespaces need Linux (this is ${process.platform})`;
  } else {
    const folders = { optMl: path.join(scratch, 'opt-ml'), tmp: path.join(scratch, 'tmp'), scratch: path.join(scratch, 'mounts') };
    for (const dir of Object.values(folders)) fs.mkdirSync(dir, { recursive: true });
    const probe = hostCommand({ argv: ['test', '-d', '/opt/ml/.'], cwd: '/', env: {} }, 'namespace', folders, { PATH: process.env.PATH ?? '/usr/bin:/bin' });
    const result = spawnSync(probe.file, probe.args, { cwd: probe.cwd, env: probe.env, encoding: 'utf8', timeout: 10_000 });
    fs.rmSync(scratch, { recursive: true, force: true });
    if (!result.error && result.status === 0) {
      return { mode: 'namespace' };
    }
    reason = result.error
      ? `unshare could not start (${(result.error as NodeJS.ErrnoException).code ?? result.error.message})`
      : `unshare -rm failed: ${(result.stderr || '').trim().split('\n')[0] || `status ${result.status}`}`;
  }
  if (wanted === 'namespace') {
    throw new Error(`--container-paths namespace: ${reason}`);
  }
  return { mode: 'rewrite', reason };
}

/** The host command for a container command in `mode`. `baseEnv` is the host environment the job keeps (PATH, HOME, ...). */
export function hostCommand(command: ContainerCommand, mode: ContainerPathMode, folders: JobFolders, baseEnv: Record<string, string>): HostCommand {
  if (mode === 'namespace') {
    return {
      file: 'unshare',
      args: ['-rm', '--', '/bin/sh', '-c', MOUNT_SCRIPT, 'sh', folders.optMl, folders.tmp, folders.scratch, command.cwd, ...command.argv],
      cwd: '/',
      env: { ...baseEnv, ...command.env },
    };
  }
  const rewrite = (text: string) => rewriteContainerPaths(text, folders);
  const [file, ...args] = command.argv.map(rewrite);
  return {
    file,
    args,
    cwd: rewrite(command.cwd),
    env: { ...baseEnv, ...Object.fromEntries(Object.entries(command.env).map(([k, v]) => [k, rewrite(v)])), TMPDIR: folders.tmp },
  };
}

/** `text` with `/opt/ml` and `/tmp` paths pointing at the job's folders. */
export function rewriteContainerPaths(text: string, folders: Pick<JobFolders, 'optMl' | 'tmp'>): string {
  // One pass, so a rewritten path (itself under the host's /tmp) is not rewritten again.
  return text.replace(/(^|[\s"'=:;,(])\/(opt\/ml|tmp)(?![\w.-])/g, (_m, before: string, root: string) => `${before}${root === 'tmp' ? folders.tmp : folders.optMl}`);
}
