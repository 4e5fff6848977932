/** Jest: TypeScript through ts-jest, DOM through jsdom, fetch mocked per test. */
module.exports = {
    testEnvironment: 'jsdom',
    roots: ['<rootDir>/src', '<rootDir>/tests', '<rootDir>/standin'],
    testMatch: ['**/*.test.ts', '**/*.test.tsx'],
    transform: {
        '^.+\\.tsx?$': ['ts-jest', {tsconfig: '<rootDir>/tsconfig.jest.json'}],

        // mattermost-redux requires serialize-error, which is published as ES modules only.
        '/node_modules/serialize-error/.+\\.js$': ['ts-jest', {tsconfig: {allowJs: true, module: 'CommonJS'}}],
    },
    transformIgnorePatterns: ['/node_modules/(?!serialize-error/)'],
    setupFilesAfterEnv: ['<rootDir>/tests/setup.ts'],
    clearMocks: true,
    restoreMocks: true,
    testTimeout: 20000,
};
