/** Vite's `?raw` imports: a file's text as a string, inlined at build time (https://vite.dev/guide/assets#importing-asset-as-string). */
declare module '*?raw' {
  const text: string;
  export default text;
}
