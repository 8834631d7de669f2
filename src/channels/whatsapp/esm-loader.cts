// A real CommonJS file (compiled to esm-loader.cjs, never bundled) whose only job is `import()`.
// The CLI bundle is CommonJS run through vm.Script, where rolldown turns `import()` into
// `require()`, and Node 20 cannot require an ES-module-only package such as Baileys. A function
// defined in a file Node loaded itself keeps a working dynamic import.
module.exports = (specifier: string): Promise<unknown> => import(specifier);
