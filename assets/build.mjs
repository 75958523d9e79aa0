// Builds company/static/govuk/: app.css (Sass, Arial), govuk-frontend.min.js, and our favicon.
// Run by `npm run build` (from `make assets`); the output is git-ignored.
import { compile } from "sass";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";

const out = "company/static/govuk";
mkdirSync(`${out}/assets`, { recursive: true });
const css = compile("assets/scss/app.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(`${out}/app.css`, css.css);
cpSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/govuk-frontend.min.js`);
cpSync("assets/favicon.svg", `${out}/favicon.svg`);
cpSync("assets/init.mjs", `${out}/init.mjs`);
cpSync("assets/card.js", `${out}/card.js`);
console.log(`built ${out}/app.css (${Math.round(css.css.length / 1024)} KB)`);
