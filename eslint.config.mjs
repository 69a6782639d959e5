// Lint for the whole repository: typescript-eslint's recommended rules plus a 120-column line limit.
// Formatting itself is prettier's (.prettierrc.json); the limit here catches what prettier cannot
// break: comments and long expressions. A line is allowed past it only for a string or template
// literal (an error message stays greppable in one piece) or a URL.
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.tmp-lab-types/**',
      'src/**/assembly/**',
      'src/tensor/kernels/wasm/kernels.generated.ts',
    ],
  },
  ...tseslint.configs.recommended,
  {
    plugins: { '@stylistic': stylistic },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@stylistic/max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true },
      ],
    },
  },
);
