// Builds dist/main.js: one IIFE bundle for the Mattermost web client.
// React, ReactDOM, Redux and ReactRedux are the client's own copies, taken from
// window at run time so the plugin never ships a second React.
import * as esbuild from 'esbuild';

const windowGlobals = {
    react: 'React',
    'react-dom': 'ReactDOM',
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
const options = {
    entryPoints: ['src/index.tsx'],
    outfile: 'dist/main.js',
    bundle: true,
    format: 'iife',
    globalName: 'GuestAccountsPlugin',
    platform: 'browser',
    target: ['es2020'],
    jsx: 'transform',
    minify: !watch,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'info',
    plugins: [windowGlobalsPlugin],
};

if (watch) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
} else {
    await esbuild.build(options);
}
