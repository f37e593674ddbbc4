import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The processes below `root` (children, their children, …), each with its RSS in MiB and its command line, as `ps` lists them now. */
export const processTree = async (root: number): Promise<{ pid: number; rssMiB: number; args: string }[]> => {
  const { stdout } = await run('ps', ['-e', '-o', 'pid=,ppid=,rss=,args=']);
  const rows = stdout.trim().split('\n').map((line) => {
    const [pid, ppid, rss, ...args] = line.trim().split(/\s+/);
    return { pid: Number(pid), ppid: Number(ppid), rssMiB: Math.round(Number(rss) / 1024), args: args.join(' ') };
  });
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows) {
      if (tree.has(row.ppid) && !tree.has(row.pid)) {
        tree.add(row.pid);
        grew = true;
      }
    }
  }
  return rows.filter((row) => tree.has(row.pid) && row.pid !== root).map(({ pid, rssMiB, args }) => ({ pid, rssMiB, args }));
};
