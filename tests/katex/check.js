// Reads JSON [{"tex": ..., "display": bool}, ...] on stdin; prints JSON errors (one per formula, null when KaTeX accepts it).
const katex = require(process.env.KATEX_MODULE || "katex");
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(({ tex, display }) => {
    try {
      katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: "ignore" });
      return null;
    } catch (e) {
      return String(e.message);
    }
  });
  process.stdout.write(JSON.stringify(out));
});
