// Builds dist/main.js: one IIFE bundle for the Mattermost web client.
// React, ReactDOM, react-intl, Redux and ReactRedux are the client's own
// copies, taken from window at run time (the globals the client exports to
// plugins), so the plugin never ships a second React, store or Intl
// provider. mattermost-redux and @mattermost/client are bundled: the plugin
// uses their selectors, action creators and Client4 against the client's
// store; it creates no store of its own.
//
// `--standin` also builds dist/standin/: the stand-in page (standin/) that
// plays the web client for the browser test and `make run`.
import {copyFileSync, mkdirSync} from 'node:fs';

import * as esbuild from 'esbuild';

export const windowGlobals = {
    react: 'React',
    'react-dom': 'ReactDOM',
    'react-intl': 'ReactIntl',
    redux: 'Redux',
    'react-redux': 'ReactRedux',
};

const windowGlobalsPlugin = {
    name: 'window-globals',
    setup(build) {
        const filter = new RegExp(`^(${Object.keys(windowGlobals).join('|')})$`);
        build.onResolve({filter}, (args) => ({path: args.path, namespace: 'window-global'}));
        build.onLoad({filter: /.*/, namespace: 'window-global'}, (args) => ({
            contents: `module.exports = window[${JSON.stringify(windowGlobals[args.path])}];`,
            loader: 'js',
        }));
    },
};

const watch = process.argv.includes('--watch');
const common = {
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    jsx: 'transform',
    minify: !watch,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'info',
    define: {'process.env.NODE_ENV': '"production"'},
};
const plugin = {
    ...common,
    entryPoints: ['src/index.tsx'],
    outfile: 'dist/main.js',
    plugins: [windowGlobalsPlugin],
    metafile: true,
};

if (watch) {
    const ctx = await esbuild.context(plugin);
    await ctx.watch();
} else {
    const result = await esbuild.build(plugin);
    if (process.argv.includes('--sizes')) {
        process.stdout.write(await esbuild.analyzeMetafile(result.metafile));
    }
    if (process.argv.includes('--standin')) {
        await esbuild.build({...common, entryPoints: ['standin/host.tsx'], outfile: 'dist/standin/host.js'});
        mkdirSync('dist/standin', {recursive: true});
        for (const file of ['standin.html', 'standin.css']) {
            copyFileSync(`standin/${file}`, `dist/standin/${file}`);
        }
    }
}
