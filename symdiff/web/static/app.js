// symdiff's page: send the form to POST /api/diff as the user types, show the reply.
// Everything the server returns as text goes in with textContent; only the
// MathML and steps markup that symdiff's own printers write goes in as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
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
    where: lines("where"),
    assume: lines("assume"),
  };
}

// What the page says for answers that are not about the text typed.
function explain(status, data, retryAfter) {
  if (status === 503) {
    const wait = retryAfter ? ` in ${retryAfter} s` : " in a moment";
    return { error: `The server is busy right now; try again${wait}.` };
  }
  if (status === 422) {
    return { error: "This one is too much work for this server: it stopped after its time limit. "
      + "Try a lower order or a shorter expression." };
  }
  if (status === 413) return { error: "The text is too long for this server." };
  if (!data || typeof data.error !== "string") return { error: `The server answered ${status}.` };
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
  const where = data.field && data.field !== "expr" ? ` in ${data.field}` : "";
  const at = data.line ? ` (line ${data.line}, column ${data.column}${where})` : where;
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
    answer = { status: 0, data: { error: "The server does not answer: is symdiff serve still running?" } };
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
    img.alt = "plot of f and its derivative";
    img.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(answer.data.svg)));
    box.replaceChildren(img);
  } else {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = answer.data.reason || answer.data.error || "no plot";
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
  $("copied").textContent = `${label} copied`;
  $("copied").dataset.text = text;
}

document.addEventListener("DOMContentLoaded", () => {
  for (const id of ["expr", "wrt", "order", "where", "assume"]) $(id).addEventListener("input", schedule);
  $("lang").addEventListener("change", schedule);
  $("copy-plain").addEventListener("click", () => reply && copy(reply.plain, "plain text"));
  $("copy-latex").addEventListener("click", () => reply && copy(reply.latex, "LaTeX"));
  $("copy-steps").addEventListener("click", () => reply && copy(reply.steps_markdown, "steps (Markdown)"));
  if ($("expr").value.trim()) schedule();
});
