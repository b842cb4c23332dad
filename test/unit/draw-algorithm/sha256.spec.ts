import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as browser from '../../../src/draws/algorithm/sha256.browser.js';
import * as node from '../../../src/draws/algorithm/sha256.js';

/**
 * The two builds of the algorithm's hashing (Node's crypto for the worker and the CLI; @noble/hashes and
 * hash-wasm's WebAssembly for the in-browser verifier) give identical digests, including every hash of the
 * frozen ILD-1 test vector.
 */
const vector = JSON.parse(readFileSync('test/fixtures/ild1-vector.json', 'utf8'));
const { drawId, secret, beacon } = vector.inputs;
const expected = vector.expected;

describe.each([
  ['node', node],
  ['browser (pure JS)', browser],
])('%s sha256', (_name, impl) => {
  test('the test vector: entries digest (incremental, bytes and latin1 text), secret hash, seed and a holder', () => {
    const text: string = expected.entriesFile;
    const bytes = Buffer.from(text, 'latin1');
    const h = impl.createSha256();
    h.update(bytes.subarray(0, 100));
    h.update(bytes.subarray(100));
    expect(h.hexDigest()).toBe(expected.entriesDigest);
    const t = impl.createSha256();
    t.updateLatin1(text.slice(0, 7));
    t.updateLatin1(text.slice(7));
    expect(t.hexDigest()).toBe(expected.entriesDigest);
    expect(impl.sha256Hex(secret)).toBe(expected.secretHash);
    expect(impl.sha256Hex(`ILD-1\n${drawId}\n${expected.entriesDigest}\n${secret}\n${beacon}`)).toBe(expected.seed);
    const src = vector.derivation.entrySources[0];
    expect(impl.hmacSha256Hex(vector.derivation.holderKey, `${drawId}:${src.consumerId}`).slice(0, 16)).toBe(vector.inputs.entries[0].holder);
  });

  test('random data, UTF-8 text and keys agree with node:crypto', () => {
    for (const size of [0, 1, 55, 56, 64, 1000, 1 << 20]) {
      const data = randomBytes(size);
      expect(impl.sha256Hex(data)).toBe(createHash('sha256').update(data).digest('hex'));
    }
    expect(impl.sha256Hex('河南 ssq:02,09')).toBe(createHash('sha256').update('河南 ssq:02,09', 'utf8').digest('hex'));
    const key = randomBytes(32);
    expect(impl.hmacSha256Hex(key, 'd:1')).toBe(createHmac('sha256', key).update('d:1').digest('hex'));
    expect(impl.randomHex(32)).toMatch(/^[0-9a-f]{64}$/);
  });
});

test('browser: the WebAssembly hasher, once prepared, gives the same incremental digests and is reused', async () => {
  expect(await browser.prepareSha256()).toBe('webassembly');
  const data = randomBytes(3 << 20);
  for (let round = 0; round < 2; round++) {
    const h = browser.createSha256();
    const inner = browser.createSha256(); // a second hash meanwhile falls back to pure JS: no shared state
    for (let o = 0; o < data.length; o += 65_537) {
      h.update(data.subarray(o, o + 65_537));
      inner.update(data.subarray(o, o + 65_537));
    }
    const want = createHash('sha256').update(data).digest('hex');
    expect(inner.hexDigest()).toBe(want);
    expect(h.hexDigest()).toBe(want);
  }
});
