// Reads a JSON array of TeX strings on stdin; prints a JSON array of
// {index, error} for each one KaTeX refuses in display mode (strict: errors only).
const katex = require("katex");
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const failures = [];
  JSON.parse(input).forEach((tex, index) => {
    try {
      katex.renderToString(tex, { displayMode: true, throwOnError: true, strict: "error" });
    } catch (e) {
      failures.push({ index, tex, error: String(e.message || e) });
    }
  });
  process.stdout.write(JSON.stringify(failures));
});
