// symdiff's page: send the form to POST /api/diff as the user types, show the reply.
// Everything the server returns as text goes in with textContent; only the
// MathML and steps markup that symdiff's own printers write goes in as HTML.
"use strict";

const $ = (id) => document.getElementById(id);

// The page's own words, in the language chosen for the steps.
const LABELS = {
  en: {
    intro: "Type a function in plain text or LaTeX:",
    wrt: "with respect to",
    order: "order",
    shapes: "shapes",
    lang: "steps in",
    auto: "auto",
    options: "Substitutions and assumptions",
    where: "where, one a line:",
    assume: "assume, one equation a line",
    hint: "The derivative appears here as you type.",
    copy_plain: "Copy plain",
    copy_latex: "Copy LaTeX",
    copy_steps: "Copy steps (Markdown)",
    copied: (what) => `${what} copied`,
    plain_text: "plain text",
    steps_markdown: "steps (Markdown)",
    plot_alt: "plot of f and its derivative",
    no_plot: "no plot",
    busy: (wait) => `The server is busy right now; try again${wait ? ` in ${wait} s` : " in a moment"}.`,
    too_much: "This one is too much work for this server: it stopped after its time limit. "
      + "Try a lower order or a shorter expression.",
    too_long: "The text is too long for this server.",
    answered: (status) => `The server answered ${status}.`,
    no_answer: "The server does not answer: is symdiff serve still running?",
    at: (line, column) => `line ${line}, column ${column}`,
    in_field: (field) => ` in ${field}`,
  },
  ja: {
    intro: "関数をテキストまたは LaTeX で入力してください：",
    wrt: "微分する変数",
    order: "階数",
    shapes: "形状",
    lang: "説明の言語",
    auto: "自動",
    options: "代入と仮定",
    where: "代入（1 行に 1 つ）：",
    assume: "仮定（1 行に 1 つの等式）",
    hint: "入力すると、ここに導関数が表示されます。",
    copy_plain: "テキストをコピー",
    copy_latex: "LaTeX をコピー",
    copy_steps: "手順をコピー（Markdown）",
    copied: (what) => `${what}をコピーしました`,
    plain_text: "テキスト",
    steps_markdown: "手順（Markdown）",
    plot_alt: "f とその導関数のグラフ",
    no_plot: "グラフなし",
    busy: (wait) => `サーバーが混み合っています。${wait ? `${wait} 秒後に` : "しばらくしてから"}もう一度お試しください。`,
    too_much: "このサーバーでは計算量が多すぎるため、制限時間で打ち切りました。"
      + "階数を下げるか、式を短くしてください。",
    too_long: "このサーバーには長すぎる入力です。",
    answered: (status) => `サーバーの応答：${status}`,
    no_answer: "サーバーが応答しません。symdiff serve は動いていますか？",
    at: (line, column) => `${line} 行 ${column} 列`,
    in_field: (field) => `（${field}）`,
  },
};

function words() {
  return LABELS[$("lang").value] || LABELS.en;
}

function applyLanguage() {
  const t = words();
  document.documentElement.lang = $("lang").value;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t[el.dataset.i18n];
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t[el.dataset.i18nPlaceholder];
}
const DELAY_MS = 200;
let timer = null;
let latest = 0; // number of the newest request: older replies are dropped
let reply = null;
let pending = null; // aborts the requests of the previous update: the server then stops their work

function request() {
  const lines = (id) => $(id).value.split("\n").map((s) => s.trim()).filter(Boolean);
  return {
    expr: $("expr").value,
    wrt: $("wrt").value.trim() || null,
    order: $("order").value === "" ? null : Number($("order").value), // empty: 1, or what expr asks for
    lang: $("lang").value,
    shapes: $("shapes").value.trim() || null, // "X:n,d w:d y:n": vectors and matrices
    where: lines("where"),
    assume: lines("assume"),
  };
}

// What the page says for answers that are not about the text typed.
function explain(status, data, retryAfter) {
  const t = words();
  if (status === 503) return { error: t.busy(retryAfter) };
  if (status === 422) return { error: t.too_much };
  if (status === 413) return { error: t.too_long };
  if (!data || typeof data.error !== "string") return { error: t.answered(status) };
  return data;
}

async function post(path, body, signal) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    // not JSON: explained below by its status
  }
  if (response.status !== 200) data = explain(response.status, data, response.headers.get("Retry-After"));
  return { status: response.status, data };
}

function setCopy(enabled) {
  for (const id of ["copy-plain", "copy-latex", "copy-steps"]) $(id).disabled = !enabled;
}

function showError(data) {
  const box = document.createElement("div");
  box.className = "error";
  const reason = document.createElement("p");
  reason.className = "reason";
  const t = words();
  const where = data.field && data.field !== "expr" ? t.in_field(data.field) : "";
  const at = data.line ? ` (${t.at(data.line, data.column)}${where})` : where;
  reason.textContent = data.error + at;
  box.appendChild(reason);
  if (data.line && typeof data.text === "string") {
    // The faulty line with a caret under the column, as the command line shows it.
    const source = data.text.split("\n")[data.line - 1] ?? "";
    const pre = document.createElement("pre");
    pre.className = "caret";
    pre.textContent = `${source}\n${" ".repeat(data.column - 1)}^`;
    box.appendChild(pre);
  }
  $("result").replaceChildren(box);
  delete $("result").dataset.plain;
  $("notes").replaceChildren();
  $("input-echo").replaceChildren();
  $("steps").replaceChildren();
  $("plot").replaceChildren();
  setCopy(false);
  reply = null;
}

function showResult(data) {
  reply = data;
  $("input-echo").innerHTML = data.question_mathml;
  $("result").innerHTML = data.mathml;
  $("result").dataset.plain = data.plain;
  $("steps").innerHTML = data.steps_html;
  $("steps").lang = data.lang;
  $("notes").replaceChildren(...data.notes.map((text) => {
    const li = document.createElement("li");
    li.textContent = text;
    return li;
  }));
  setCopy(true);
  $("copy-steps").disabled = typeof data.steps_markdown !== "string";
}

async function update() {
  const body = request();
  const number = ++latest;
  if (!body.expr.trim()) {
    if (pending) pending.abort();
    $("result").replaceChildren();
    return;
  }
  if (pending) pending.abort();
  pending = new AbortController();
  const signal = pending.signal;
  $("result").classList.add("busy");
  let answer;
  try {
    answer = await post("/api/diff", body, signal);
  } catch (e) {
    if (number !== latest) return; // aborted: a newer update replaces it
    answer = { status: 0, data: { error: words().no_answer } };
  }
  if (number !== latest) return;
  $("result").classList.remove("busy");
  if (answer.status !== 200) {
    showError(answer.data);
    return;
  }
  showResult(answer.data);
  updatePlot(body, number, signal);
}

async function updatePlot(body, number, signal) {
  let answer;
  try {
    answer = await post("/api/plot", body, signal);
  } catch (e) {
    return;
  }
  if (number !== latest) return;
  const box = $("plot");
  if (answer.status === 200 && answer.data.svg) {
    const img = document.createElement("img");
    img.alt = words().plot_alt;
    img.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(answer.data.svg)));
    box.replaceChildren(img);
  } else {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = answer.data.reason || answer.data.error || words().no_plot;
    box.replaceChildren(p);
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(update, DELAY_MS);
}

async function copy(text, label) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  $("copied").textContent = words().copied(label);
  $("copied").dataset.text = text;
}

document.addEventListener("DOMContentLoaded", () => {
  for (const id of ["expr", "wrt", "order", "shapes", "where", "assume"]) $(id).addEventListener("input", schedule);
  $("lang").addEventListener("change", () => {
    applyLanguage();
    schedule();
  });
  applyLanguage();
  $("copy-plain").addEventListener("click", () => reply && copy(reply.plain, words().plain_text));
  $("copy-latex").addEventListener("click", () => reply && copy(reply.latex, "LaTeX"));
  $("copy-steps").addEventListener("click", () => reply && copy(reply.steps_markdown, words().steps_markdown));
  if ($("expr").value.trim()) schedule();
});
