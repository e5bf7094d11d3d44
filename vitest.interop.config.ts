import { defineConfig } from 'vitest/config'

/** The interop suite: real peers (tshark, Samba smbd, smbclient, smbtorture, impacket). `.ci/run` installs them. */
export default defineConfig({
  test: {
    include: ['{dissect,replay,server,inspect}/**/*.interop.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
})
