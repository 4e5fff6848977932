import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
    {ignores: ['dist/', 'node_modules/', 'coverage/']},
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ['src/**/*.{ts,tsx}', 'tests/**/*.{ts,tsx}', 'standin/**/*.{ts,tsx}'],
        languageOptions: {globals: {...globals.browser}},
        plugins: {'react-hooks': reactHooks},
        rules: {
            'react-hooks/rules-of-hooks': 'error',
            'react-hooks/exhaustive-deps': 'warn',
            eqeqeq: ['error', 'always'],
            'no-console': 'error',
            '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_'}],
            '@typescript-eslint/consistent-type-imports': 'error',
        },
    },
    {
        files: ['*.mjs', '*.cjs', 'scripts/**/*.mjs'],
        languageOptions: {globals: {...globals.node}},
        rules: {'@typescript-eslint/no-require-imports': 'off'},
    },
);
