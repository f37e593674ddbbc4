import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The seams of docs/design: the use case owns its ports and imports no adapter, no SDK and no
 * HTTP code; adapters import the ports, never the use case. (Import cycles: `import/no-cycle` in `npm run lint`.)
 */
const importsOf = (file: string): string[] =>
  [...readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8').matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gms)].map((m) => m[1] ?? '');

describe('lib/ seams', () => {
  it('the use case imports only its ports, its rules and the error table', () => {
    // lib/password-history.ts is the use case's history rule; it reads hash formats, never bcrypt.
    expect(importsOf('lib/password-history.ts').sort()).toEqual(['./hash-format.js', 'node:crypto']);
    expect(importsOf('lib/change-password.ts').sort()).toEqual(['./errors.js', './password-history.js', './password-policy.js', './ports.js', './stale-token.js']);
  });

  it.each(['lib/ports.ts', 'lib/stale-token.ts', 'lib/password-rule.ts', 'lib/hash-format.ts'])('%s imports nothing', (file) => {
    expect(importsOf(file)).toEqual([]);
  });

  it.each(['lib/user-store.ts', 'lib/change-notifier.ts', 'lib/breached-passwords.ts'])('the adapter %s implements the ports and does not import the use case', (file) => {
    const imports = importsOf(file);
    expect(imports).toContain('./ports.js');
    expect(imports).not.toContain('./change-password.js');
  });
});
