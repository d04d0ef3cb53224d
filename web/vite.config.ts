// Vite builds the console into dist/: index.html and hashed files under /assets/, no inline script or
// style, so the strict content security policy of the local platform and CloudFront holds.
// The code is written and type-checked against React's API (@types/react); it runs on Preact's
// implementation of that API (preact/compat), a fifth of React's size in the bundle.
import { defineConfig } from "vite";

export default defineConfig({
  resolve: {
    alias: {
      "react-dom/client": "preact/compat/client",
      "react-dom": "preact/compat",
      "react/jsx-runtime": "preact/jsx-runtime",
      react: "preact/compat",
    },
  },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    // the console has no module that is loaded late: the preload polyfill would be dead code
    modulePreload: { polyfill: false },
    target: "es2022",
  },
  oxc: { jsx: { runtime: "automatic" } },
});
