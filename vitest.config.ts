import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{dissect,replay,server,inspect,bin}/**/*.test.ts'],
    exclude: ['**/*.interop.test.ts', 'node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
