// Bundles the partner explorer (GraphiQL, React, graphql-ws) into gateway/explorer/dist: no CDN, works offline.
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const outdir = `${root}dist`;
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: [`${root}src/main.tsx`],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  outdir,
  entryNames: 'explorer',
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file' },
  define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  legalComments: 'none',
  logLevel: 'warning',
});
await writeFile(
  `${outdir}/index.html`,
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>VegShare partner explorer</title>
<link rel="stylesheet" href="/explorer/explorer.css">
</head>
<body style="margin:0">
<div id="root"></div>
<script type="module" src="/explorer/explorer.js"></script>
</body>
</html>
`,
);
console.log('explorer built');
