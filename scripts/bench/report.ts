/**
 * The tables `npm run bench` (scripts/bench/run.ts) prints: the function against the floor, where a
 * warm change spends its time, and where a full-history change goes. Markdown, ready for
 * docs/performance.md.
 */
import { cpus, loadavg } from 'node:os';
import { gzipSync } from 'node:zlib';
import type { HandlerPhases } from './instrumented.js';
import type { ChildMessage } from './protocol.js';

/** The sizes of the run the report states (scripts/bench/run.ts). */
export interface BenchSettings {
  cost: number;
  rounds: number;
  block: number;
  cold: number;
  soak: number;
  historyCost: number;
  historySize: number;
}
/** The targets, as ratios to the floor in the same run; the zip in kB (1000 bytes). */
export interface BenchTargets {
  warm: number;
  cold: number;
  history: number;
  zipKB: number;
}
/** A figure for the packaged function and one for the floor. */
export type Sides<T> = Record<'handler' | 'floor', T>;
/** One fresh process's figures, with the spawn-to-answer time the bench saw. */
export type Cold = Extract<ChildMessage, { type: 'cold' }> & { wallMs: number };
/** The function's cold starts with the parts `setting` turns off (variables of lib/config/variables.ts). */
export interface ColdPart {
  setting: Record<string, string>;
  runs: Cold[];
}
/** The zip's one entry: its sizes, and where the bench unpacked it. */
export interface PackagedHandler {
  zipped: number;
  unpacked: number;
  path: string;
}
export interface WarmResults {
  warm: Sides<number[]>;
  warmCpu: Sides<number[]>;
  roundRatios: number[];
  phases: Record<'instrumented' | 'floorTimed', HandlerPhases[]>;
}
export interface HistoryResults {
  full: Sides<number[]>;
  fullCpu: Sides<number[]>;
  historyPhases: Record<'shared' | 'floor' | 'legacy', HandlerPhases[]>;
}
/** Everything one run measured, and what it was measured with. */
export interface BenchResults {
  settings: BenchSettings;
  targets: BenchTargets;
  warm: WarmResults;
  cold: Sides<Cold[]>;
  coldParts: ColdPart[];
  history: HistoryResults;
  soakRss: Sides<number>;
  pkg: PackagedHandler;
  floorBytes: Buffer;
  seconds: number;
  seeded: number;
}

// Statistics

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
export const quantile = (xs: number[], q: number): number => {
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
};
export const median = (xs: number[]) => quantile(xs, 0.5);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ms = (x: number) => `${x.toFixed(2)} ms`;
const ratio = (x: number) => `×${x.toFixed(3)}`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;
const share = (x: number, total: number) => `${((100 * x) / total).toFixed(0)}%`;
const verdict = (value: number, target: number) => (value <= target ? 'met' : `MISSED by ${(((value / target) - 1) * 100).toFixed(1)}%`);
const row = (label: string, h: number, f: number, format: (x: number) => string, target = '') => `| ${label} | ${format(h)} | ${format(f)} | ${ratio(h / f)} | ${target} |`;
const spread = (xs: number[]) => `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}`;
/** bcrypt operations per change, each distinct count once. */
const opsOf = (list: HandlerPhases[]) => (list.length === 0 ? 'n/a' : [...new Set(list.map((p) => p.bcryptOps))].sort((a, b) => a - b).join('/'));

/** The ratios the targets are about. */
const ratiosOf = ({ warm, cold, history, pkg }: BenchResults) => {
  const coldSince = (side: keyof Sides<unknown>) => median(cold[side].map((c) => c.sinceStartMs));
  return {
    warm: median(warm.warm.handler) / median(warm.warm.floor),
    cold: coldSince('handler') / coldSince('floor'),
    history: median(history.full.handler) / median(history.full.floor),
    zipKB: pkg.zipped / 1000,
  };
};

/** The main table: warm, cold, full history, bcrypt operations, size and memory, side by side. */
const mainTable = (results: BenchResults): string[] => {
  const { settings, targets, warm: { warm, warmCpu, roundRatios, phases }, cold, history: { full, fullCpu, historyPhases }, soakRss, pkg, floorBytes } = results;
  const ratios = ratiosOf(results);
  type ColdKey = 'sinceStartMs' | 'importMs' | 'firstChangeMs' | 'wallMs' | 'bootMs' | 'maxRssKb';
  const coldOf = (side: keyof Sides<unknown>, key: ColdKey) => median(cold[side].map((c) => c[key]));
  const coldCpu = (side: keyof Sides<unknown>, key: 'import' | 'firstChange' | 'total') => median(cold[side].map((c) => c.cpu[key]));
  const legacyTotal = mean(historyPhases.legacy.map((p) => p.total));
  const floorTimedTotal = mean(historyPhases.floor.map((p) => p.total));
  return [
    '| | function (packaged) | floor | ratio | target |',
    '|---|---|---|---|---|',
    row('warm, median', median(warm.handler), median(warm.floor), ms, `≤ ×${targets.warm}: ${verdict(ratios.warm, targets.warm)}`),
    row('warm, p99', quantile(warm.handler, 0.99), quantile(warm.floor, 0.99), ms),
    `| warm, median ratio of each round (min–max) | | | ×${Math.min(...roundRatios).toFixed(3)}–×${Math.max(...roundRatios).toFixed(3)} | |`,
    row('warm, CPU per change (median, all threads)', median(warmCpu.handler), median(warmCpu.floor), ms),
    row('cold: process start → first change answered (median)', coldOf('handler', 'sinceStartMs'), coldOf('floor', 'sinceStartMs'), ms, `≤ ×${targets.cold}: ${verdict(ratios.cold, targets.cold)}`),
    `| … spread (min–max) | ${spread(cold.handler.map((c) => c.sinceStartMs))} | ${spread(cold.floor.map((c) => c.sinceStartMs))} | | |`,
    row('… Node\'s own start, before the bundle is loaded', coldOf('handler', 'bootMs'), coldOf('floor', 'bootMs'), ms),
    row('… import of the bundle', coldOf('handler', 'importMs'), coldOf('floor', 'importMs'), ms),
    row('… first change', coldOf('handler', 'firstChangeMs'), coldOf('floor', 'firstChangeMs'), ms),
    row('cold, CPU of the import (median)', coldCpu('handler', 'import'), coldCpu('floor', 'import'), ms),
    row('cold, CPU of the first change (median)', coldCpu('handler', 'firstChange'), coldCpu('floor', 'firstChange'), ms),
    row('cold, CPU from process start to the answer (median)', coldCpu('handler', 'total'), coldCpu('floor', 'total'), ms),
    row('cold, seen by the parent: spawn → answer (median)', coldOf('handler', 'wallMs'), coldOf('floor', 'wallMs'), ms),
    row(`full history (${settings.historySize}), sixth change, cost ${settings.historyCost}, median`, median(full.handler), median(full.floor), ms, `≤ ×${targets.history}: ${verdict(ratios.history, targets.history)}`),
    `| … spread (min–max) | ${spread(full.handler)} | ${spread(full.floor)} | | |`,
    row(`full history, CPU per change (median, all threads)`, median(fullCpu.handler), median(fullCpu.floor), ms),
    row(`first change after the deploy, full legacy history (separate salts), cost ${settings.historyCost}, mean of ${historyPhases.legacy.length} (timed build)`, legacyTotal, floorTimedTotal, ms),
    `| bcrypt operations per change: warm cost ${settings.cost} / full history / legacy first change | ${opsOf(phases.instrumented)} / ${opsOf(historyPhases.shared)} / ${opsOf(historyPhases.legacy)} | 2 | | full history ≤ 3: ${historyPhases.shared.every((p) => p.bcryptOps <= 3) ? 'met' : 'MISSED'} |`,
    `| bundle, zipped | ${(pkg.zipped / 1000).toFixed(1)} kB (${kib(pkg.zipped)}) | ${kib(gzipSync(floorBytes, { level: 9 }).length)} (gzip -9) | | ≤ ${targets.zipKB} kB: ${verdict(ratios.zipKB, targets.zipKB)} |`,
    row('bundle, unpacked', pkg.unpacked, floorBytes.length, kib),
    row('peak RSS after the first change (median)', coldOf('handler', 'maxRssKb'), coldOf('floor', 'maxRssKb'), mib),
    row(`peak RSS after ${settings.soak} warm changes`, soakRss.handler, soakRss.floor, mib),
  ];
};

/** Means per phase over the changes of a side, leaving out its slowest 10% (a busy machine's stalls). */
const phaseMeans = (list: HandlerPhases[]) => {
  const cutoff = quantile(list.map((p) => p.total), 0.9);
  const kept = list.filter((p) => p.total <= cutoff);
  const pick = (f: (p: HandlerPhases) => number) => mean(kept.map(f));
  const total = pick((p) => p.total);
  const dynamo = pick((p) => p.dynamo);
  const compare = pick((p) => p.bcryptCompare);
  const hash = pick((p) => p.bcryptHash);
  return { total, dynamo, first: pick((p) => p.dynamoFirst), compare, hash, rest: total - dynamo - compare - hash, before: pick((p) => p.beforeFirstCall), webCrypto: pick((p) => p.webCrypto), calls: pick((p) => p.dynamoCalls), n: kept.length };
};

/** Where a warm change spends its time: the timed build next to the floor's timed steps. */
const phaseTable = ({ warm: { phases } }: BenchResults): string[] => {
  const ph = phaseMeans(phases.instrumented);
  const pf = phaseMeans(phases.floorTimed);
  const phaseRow = (label: string, h: number, f: number) => `| ${label} | ${ms(h)} | ${share(h, ph.total)} | ${ms(f)} | ${share(f, pf.total)} | ${h - f >= 0 ? '+' : ''}${ms(h - f)} |`;
  return [
    `Where a warm change spends its time: the handler built from the same source with timers on DocumentClient.send and bcryptjs, next to the floor with its steps timed, interleaved; means over ${ph.n} / ${pf.n} changes (the slowest 10% of each side left out):`,
    '',
    '| step | function | share | floor | share | difference |',
    '|---|---|---|---|---|---|',
    phaseRow(`DynamoDB: function UpdateItem ×${ph.calls.toFixed(0)}, floor GetItem + UpdateItem`, ph.dynamo, pf.dynamo),
    phaseRow('… first call: UpdateItem (attempt counter, ALL_NEW) / GetItem', ph.first, pf.first),
    phaseRow('… second call: the conditional UpdateItem', ph.dynamo - ph.first, pf.dynamo - pf.first),
    phaseRow('bcrypt compare of the old password', ph.compare, pf.compare),
    phaseRow('bcrypt salt + hash of the new password', ph.hash, pf.hash),
    phaseRow('everything else', ph.rest, pf.rest),
    `| … of which before the first DynamoDB call (middy, jose, JSON, valibot) | ${ms(ph.before)} | ${share(ph.before, ph.total)} | | | |`,
    `| … of which in WebCrypto importKey + verify (jose's HS256 check) | ${ms(ph.webCrypto)} | ${share(ph.webCrypto, ph.total)} | | | |`,
    `| total | ${ms(ph.total)} | | ${ms(pf.total)} | | +${ms(ph.total - pf.total)} (${ratio(ph.total / pf.total)}) |`,
  ];
};

/** Where a full-history change goes, for a history sharing the salt, the floor and a legacy history. */
const historyTable = ({ settings, history: { historyPhases } }: BenchResults): string[] => {
  const hp = (list: HandlerPhases[], f: (p: HandlerPhases) => number) => ms(mean(list.map(f)));
  const historyRow = (label: string, f: (p: HandlerPhases) => number) => `| ${label} | ${hp(historyPhases.shared, f)} | ${hp(historyPhases.floor, f)} | ${hp(historyPhases.legacy, f)} |`;
  return [
    `Where a full-history change at cost ${settings.historyCost} goes (timed build, means over ${historyPhases.shared.length} / ${historyPhases.floor.length} / ${historyPhases.legacy.length} changes):`,
    '',
    '| step | function, history sharing the salt | floor | function, first change of a legacy history |',
    '|---|---|---|---|',
    historyRow('bcrypt compare(s): the old password, legacy history entries', (p) => p.bcryptCompare),
    historyRow('bcrypt hash(es): the history check that is also the new hash', (p) => p.bcryptHash),
    historyRow('DynamoDB', (p) => p.dynamo),
    historyRow('everything else', (p) => p.total - p.dynamo - p.bcryptCompare - p.bcryptHash),
    historyRow('total', (p) => p.total),
    `| bcrypt operations | ${opsOf(historyPhases.shared)} | 2 | ${opsOf(historyPhases.legacy)} |`,
  ];
};

/** Where a cold start goes: the function with one part turned off at a time, then all of them, against the function whole and the floor. */
const coldPartsTable = ({ cold, coldParts }: BenchResults): string[] => {
  const since = (runs: Cold[]) => median(runs.map((c) => c.sinceStartMs));
  const first = (runs: Cold[]) => median(runs.map((c) => c.firstChangeMs));
  const cpu = (runs: Cold[]) => median(runs.map((c) => c.cpu.total));
  const whole = cold.handler;
  const partRow = (label: string, runs: Cold[]) =>
    `| ${label} | ${ms(since(runs))} | ${ms(first(runs))} | ${ms(cpu(runs))} | ${ms(since(whole) - since(runs))} | ${ratio(since(runs) / since(cold.floor))} |`;
  return [
    `Where a cold start goes: the same package with one part turned off by its setting (its code still loaded), then all of them, ${whole.length} fresh processes each, interleaved with the two sides above; medians:`,
    '',
    '| function, with | process start → answer | … first change | CPU to the answer | less than the whole function | ratio to the floor |',
    '|---|---|---|---|---|---|',
    partRow('everything on (as above)', whole),
    ...coldParts.map(({ setting, runs }) => partRow(Object.entries(setting).map(([name, value]) => `${name}=${value}`).join(', '), runs)),
    partRow('the floor', cold.floor),
  ];
};

/** The whole report, and whether a target was missed. */
export const reportLines = (results: BenchResults): { lines: string[]; missed: boolean } => {
  const { settings, targets } = results;
  const ratios = ratiosOf(results);
  const lines = [
    `### npm run bench — ${new Date().toISOString().slice(0, 16)}Z, node ${process.version}, bcrypt cost ${settings.cost}, breached-password lookup ${process.env.BENCH_HIBP === 'off' ? 'off' : 'on (stand-in on 127.0.0.1)'}, ${process.env.BENCH_NODE_FLAGS ? `node flags \`${process.env.BENCH_NODE_FLAGS}\`` : 'no node flags'}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs`,
    '',
    `Warm: ${settings.rounds} rounds × ${settings.block} changes per side in one process, the sides interleaved change by change. Cold: ${settings.cold} fresh processes per side, alternating.`,
    '',
    ...mainTable(results),
    '',
    ...coldPartsTable(results),
    '',
    ...phaseTable(results),
    '',
    ...historyTable(results),
    '',
    `(${results.seconds.toFixed(0)} s; ${results.seeded} users seeded; raw samples in .esbuild-bench-out/results.json)`,
  ];
  const missed = ratios.warm > targets.warm || ratios.cold > targets.cold || ratios.zipKB > targets.zipKB || ratios.history > targets.history;
  return { lines, missed };
};
