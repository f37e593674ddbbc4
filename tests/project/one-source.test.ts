import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { PASSWORD_CHANGED_EVENT, passwordChangedDetail } from '../../lib/core/password-changed-event.js';
import { CLOCK_TOLERANCE_SECONDS } from '../../lib/core/ports.js';

/**
 * One source per fact: each is defined once in code, and where a copy must stand elsewhere (YAML,
 * JSON events, docs) it is held equal here to that definition.
 */
const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

describe('the PasswordChanged event (lib/core/password-changed-event.ts)', () => {
  const { source, detailType } = PASSWORD_CHANGED_EVENT;
  const fields = Object.keys(passwordChangedDetail({ userId: 'u', changedAt: new Date(0), requestId: 'r', sourceIp: '203.0.113.7' }));

  it('is what the notice\'s rule matches (infra/notice-function.yml)', () => {
    type Notice = { function: { events: { eventBridge: { pattern: unknown } }[] } };
    const { function: notice } = loadYaml(read('infra/notice-function.yml')) as Notice;
    expect(notice.events.map((e) => e.eventBridge.pattern)).toEqual([{ source: [source], 'detail-type': [detailType] }]);
  });

  it('is the sample the notice is invoked with locally (events/notice/password-changed.json)', () => {
    const sample = JSON.parse(read('events/notice/password-changed.json')) as { source: string; 'detail-type': string; detail: { userId: string; changedAt: string; requestId: string; sourceIp: string } };
    expect([sample.source, sample['detail-type']]).toEqual([source, detailType]);
    expect(sample.detail).toStrictEqual(passwordChangedDetail({ ...sample.detail, changedAt: new Date(sample.detail.changedAt) }));
    expect(Object.keys(sample.detail)).toEqual(fields);
  });

  it('is what the docs show a consumer: source, detail-type and the detail\'s fields', () => {
    const docs = ['docs/adoption.md', 'docs/deploy.md', 'docs/security.md'].map(read).join('\n');
    const named = (key: string) => [...docs.matchAll(new RegExp(`"?${key}"?:\\s*\\[?"?([\\w-]+)`, 'g'))].map((m) => m[1]);
    expect(named('source')).toEqual([source, source, source]);
    expect(named('detail-type')).toEqual([detailType, detailType, detailType]);
    // docs/security.md's feature table, then docs/adoption.md's JSON sample.
    expect(docs).toContain(`(source \`${source}\`, detail \`{${fields.join(', ')}}\`)`);
    const sample = /"detail": \{([^}]*)\}/.exec(docs)?.[1] ?? '';
    expect([...sample.matchAll(/"(\w+)":/g)].map((m) => m[1])).toEqual(fields);
  });
});

describe('the clock tolerance (CLOCK_TOLERANCE_SECONDS, lib/core/ports.ts)', () => {
  it('is the one docs/security.md gives the verifier and step-up', () => {
    const security = read('docs/security.md');
    const stated = [...security.matchAll(/(\d+) s of clock skew|\+ (\d+) s old|more than (\d+) s in the future/g)].map((m) => Number(m[1] ?? m[2] ?? m[3]));
    expect(stated).toHaveLength(4);
    expect(new Set(stated)).toEqual(new Set([CLOCK_TOLERANCE_SECONDS]));
  });
});
