// Vite builds the console into dist/: index.html and hashed files under /assets/, no inline script or
// style, so the strict content security policy of the local platform and CloudFront holds.
import { defineConfig } from "vite";

export default defineConfig({
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    // the console has no module that is loaded late; a polyfill would be an inline-free but dead script
    modulePreload: { polyfill: false },
    target: "es2022",
  },
  oxc: { jsx: { runtime: "automatic" } },
});
