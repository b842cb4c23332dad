import { jest } from '@jest/globals';
import { browserTests } from '../support/browser.js';

/** The gate every browser test file goes through: no silent skip, and never a skip under CI. */
describe('browserTests', () => {
  const missing = '/nonexistent/chromium';

  test('under CI a missing Chromium fails the file', () => {
    expect(() => browserTests('x.spec.ts', missing, { CI: 'true' })).toThrow(`No Chromium at ${missing}`);
  });

  test('locally a missing Chromium skips the file with one line saying why', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const gate = browserTests('file:///x/public-page.spec.ts', missing, {});
      expect(gate.haveChromium).toBe(false);
      expect(gate.browserTest).toBe(test.skip);
      expect(write).toHaveBeenCalledTimes(1);
      const line = String(write.mock.calls[0][0]);
      expect(line).toBe(`browser tests of public-page.spec.ts SKIPPED: no Chromium at ${missing} (apt-get install chromium fonts-noto-cjk, or set CHROMIUM_PATH)\n`);
    } finally {
      write.mockRestore();
    }
  });

  test('with Chromium present the tests run, with or without CI', () => {
    for (const env of [{}, { CI: 'true' }]) {
      const gate = browserTests('x.spec.ts', process.execPath, env);
      expect(gate).toEqual({ haveChromium: true, browserTest: test });
    }
  });
});
