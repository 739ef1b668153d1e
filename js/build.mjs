// Bundles src/frame_canvas.js and the part of fflate it uses into one ES module, the file
// nnlib.labs._canvas.FrameCanvas gives anywidget. `make js` runs it; tests/test_labs_js.py
// builds to a temporary file and checks the committed bundle equals it.
// Usage: node build.mjs [outfile]   (default: ../nnlib/labs/frame_canvas.js)
import { build } from "esbuild";

const outfile = process.argv[2] ?? new URL("../nnlib/labs/frame_canvas.js", import.meta.url).pathname;
await build({
  entryPoints: [new URL("src/frame_canvas.js", import.meta.url).pathname],
  bundle: true,
  format: "esm",
  target: "es2020",
  legalComments: "inline",
  banner: {
    js: "// Built by `make js` (js/build.mjs) from js/src/frame_canvas.js with esbuild; do not edit.\n"
      + "// Includes unzlibSync from fflate 0.8.2 (MIT License, Copyright (c) 2023 Arjun Barrett,\n"
      + "// https://github.com/101arrowz/fflate).",
  },
  outfile,
  logLevel: "warning",
});
