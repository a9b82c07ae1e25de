// coalitionlab app: plain JavaScript over the JSON API of coalitionlab.webapp.server.
// Everything from the server is written with textContent (never as HTML).
"use strict";

const $ = (id) => document.getElementById(id);
const state = { lead: null, date: null, ranking: null, forecast: null, plan: null, missions: {}, seq: { ranking: 0, ties: 0 } };

// ------------------------------------------------------------------ helpers

function fmt(value, column) {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "yes" : "";
  if (typeof value !== "number") return String(value);
  if (column === "p_join" || column.endsWith("share")) return (100 * value).toFixed(column === "p_join" ? 1 : 2) + "%";
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(3);
}

const LABELS = {
  rank: "#", ccode: "ccode", country: "state", embeddedness: "total", embeddedness_share: "share",
  p_join: "P(join)", treaties_bilateral: "bilateral treaties", igos: "IGOs", in_plan: "planned",
  in_measure: "in total", data_year: "data year", ties: "ties", logit: "logit",
};

function fillTable(table, data, { columns = null, limit = 0, onClick = null, labels = {} } = {}) {
  const cols = columns || data.columns;
  const idx = cols.map((c) => data.columns.indexOf(c));
  const head = table.tHead, body = table.tBodies[0];
  head.replaceChildren();
  body.replaceChildren();
  const hr = head.insertRow();
  cols.forEach((c) => {
    const th = document.createElement("th");
    th.textContent = labels[c] || LABELS[c] || c.replaceAll("_", " ");
    hr.appendChild(th);
  });
  const rows = limit > 0 ? data.rows.slice(0, limit) : data.rows;
  rows.forEach((row) => {
    const tr = body.insertRow();
    idx.forEach((i, k) => {
      const td = tr.insertCell();
      td.textContent = fmt(row[i], cols[k]);
      td.className = cols[k];
      if (typeof row[i] === "number") td.classList.add("num");
    });
    if (onClick) {
      tr.classList.add("clickable");
      tr.addEventListener("click", () => onClick(row, tr));
    }
  });
}

function showError(id, message) {
  const el = $(id);
  el.textContent = message || "";
  el.hidden = !message;
}

function running(id, text) {
  const el = $(id);
  el.replaceChildren();
  if (!text) { el.classList.remove("running"); return; }
  el.classList.add("running");
  const spin = document.createElement("span");
  spin.className = "spinner";
  el.append(spin, document.createTextNode(" " + text));
}

async function getJSON(url, options) {
  let resp;
  try {
    resp = await fetch(url, options);
  } catch (err) {
    throw new Error("the app does not answer (is it still running?)");
  }
  let doc = null;
  try { doc = await resp.json(); } catch (err) { doc = null; }
  if (!resp.ok) throw new Error((doc && doc.error) || `request failed (${resp.status})`);
  return doc;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A slow computation: start the job, then poll it, showing a running indicator with the elapsed time.
async function runJob(url, body, statusId) {
  running(statusId, "starting");
  let job = await getJSON(url, { method: "POST", headers: { "Content-Type": "application/json" },
                                 body: JSON.stringify(body) });
  while (job.status === "queued" || job.status === "running") {
    const what = job.status === "queued" ? "waiting for another computation" : (job.progress || "running");
    running(statusId, `${what} (${job.elapsed.toFixed(0)} s)`);
    await sleep(job.elapsed < 5 ? 300 : 1000);
    job = await getJSON(`/api/jobs/${encodeURIComponent(job.job)}`);
  }
  if (job.status === "error") throw new Error(job.message);
  return job.result;
}

// ------------------------------------------------------------------ ranking and map

async function loadRanking() {
  const lead = $("lead").value.trim(), date = $("date").value.trim();
  const q = new URLSearchParams({ lead, date });
  const seq = ++state.seq.ranking;  // a later request wins over an earlier, slower one
  running("pick-status", "computing embeddedness");
  showError("pick-error", "");
  try {
    const doc = await getJSON(`/api/ranking?${q}`);
    if (seq !== state.seq.ranking) return;
    state.lead = lead; state.date = date; state.ranking = doc;
    drawRanking();
    drawMap(doc);
    document.body.dataset.lead = lead;
    const first = doc.table.rows.find((r) => r[doc.table.columns.indexOf("embeddedness")] !== null);
    if (first) loadTies(String(first[doc.table.columns.indexOf("ccode")]));
    running("pick-status", "");
  } catch (err) {
    if (seq !== state.seq.ranking) return;
    running("pick-status", "");
    showError("pick-error", err.message);
  }
}

function drawRanking() {
  const doc = state.ranking;
  if (!doc) return;
  const years = Object.entries(doc.years_used).map(([k, v]) => `${k} ${v}`).join(", ");
  $("ranking-note").textContent =
    `${doc.lead_name} (ccode ${doc.lead_ccode}) on ${doc.date}: ${doc.n_states} states; ` +
    `components ${doc.components.join(" + ")}; data years ${years}` +
    (doc.is_seed ? " [embedded seed data]" : "") + (doc.stale.length ? `; ${doc.stale.join("; ")}` : "");
  fillTable($("ranking"), doc.table, {
    limit: Number($("ranking-rows").value),
    onClick: (row) => loadTies(String(row[doc.table.columns.indexOf("ccode")])),
  });
}

function drawMap(doc) {
  const el = $("map");
  if (doc.map && window.Plotly) {
    $("map-note").textContent = doc.is_seed ? "Embedded seed data." : "";
    const layout = Object.assign({}, doc.map.layout, { autosize: true });
    window.Plotly.react(el, doc.map.data, layout, { displaylogo: false, responsive: true }).then(() => {
      if (el.dataset.clicks) return;  // a state clicked on the map: its ties
      el.dataset.clicks = "1";
      el.on("plotly_click", (ev) => {
        const t = state.ranking && state.ranking.table, name = ev.points && ev.points[0] && ev.points[0].text;
        const row = t && t.rows.find((r) => r[t.columns.indexOf("country")] === name);
        if (row) loadTies(String(row[t.columns.indexOf("ccode")]));
      });
    });
  } else {
    if (window.Plotly) window.Plotly.purge(el);
    el.replaceChildren();
    $("map-note").textContent = doc.map_note || "The map needs plotly.";
  }
}

// ------------------------------------------------------------------ ties

async function loadTies(country) {
  if (!state.lead) return;
  $("country").value = country;
  const q = new URLSearchParams({ lead: state.lead, date: state.date, country });
  const seq = ++state.seq.ties;
  running("ties-status", "counting ties");
  showError("ties-error", "");
  try {
    const doc = await getJSON(`/api/ties?${q}`);
    if (seq !== state.seq.ties) return;
    $("ties-country").textContent = doc.country;
    $("country").value = doc.country;
    const share = doc.embeddedness_share === null ? "" : `, ${(100 * doc.embeddedness_share).toFixed(2)}% of the lead's ties`;
    $("ties-note").textContent =
      `Rank ${doc.rank ?? "-"} of ${doc.n_states}: ${fmt(doc.embeddedness, "embeddedness")} ties in the total` +
      ` (${fmt(doc.embeddedness_security, "x")} security, ${fmt(doc.embeddedness_nonsecurity, "x")} other)${share}` +
      (Object.keys(doc.unavailable).length ? `; not in this data: ${Object.keys(doc.unavailable).join(", ")}` : "");
    fillTable($("ties"), doc.table, { columns: ["component", "ties", "in_measure", "security", "data_year", "description"] });
    running("ties-status", "");
  } catch (err) {
    if (seq !== state.seq.ties) return;
    running("ties-status", "");
    showError("ties-error", err.message);
  }
}

// ------------------------------------------------------------------ forecast

async function predict() {
  showError("forecast-error", "");
  const body = { lead: $("lead").value.trim(), date: $("date").value.trim(),
                 train_until: $("train-until").value.trim() || null, target: $("target").value.trim() || null };
  $("predict").disabled = true;
  try {
    const doc = await runJob("/api/forecast", body, "forecast-status");
    state.forecast = doc;
    $("forecast-note").textContent =
      `${doc.method}: ${doc.formula}; trained on ${doc.n_train_coalitions} coalitions started by ${doc.train_until} ` +
      `(${doc.n_train_rows} rows, labels as of ${doc.labels_as_of})` + (doc.is_seed ? " [embedded seed data]" : "") +
      (doc.stale_inputs.length ? `; stale inputs: ${doc.stale_inputs.join(", ")}` : "") + ". Click a state for why.";
    const t = doc.table;
    fillTable($("forecast"), t, { columns: ["country", "p_join", "missing"], limit: 20,
                                  onClick: (row) => showWhy(row) });
    const first = t.rows.find((r) => r[t.columns.indexOf("p_join")] !== null);
    if (first) showWhy(first);
  } catch (err) {
    showError("forecast-error", err.message);
  } finally {
    running("forecast-status", "");
    $("predict").disabled = false;
  }
}

// Each feature's contribution to the state's logit relative to the average candidate, as bars.
function showWhy(row) {
  const doc = state.forecast, cols = doc.table.columns;
  const get = (c) => row[cols.indexOf(c)];
  const box = $("why");
  box.replaceChildren();
  const h = document.createElement("h3");
  h.textContent = `Why ${get("country")}: P(join) ${fmt(get("p_join"), "p_join")}`;
  box.appendChild(h);
  if (get("logit") === null) {
    const p = document.createElement("p");
    p.textContent = `No prediction: missing ${get("missing")}.`;
    box.appendChild(p);
    return;
  }
  const parts = doc.terms.map((t) => [t, get("c_" + t)]).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  const scale = Math.max(1e-9, ...parts.map((p) => Math.abs(p[1])));
  const list = document.createElement("table");
  list.className = "why";
  const add = (label, value, bar) => {
    const tr = list.insertRow();
    tr.insertCell().textContent = label;
    const v = tr.insertCell();
    v.textContent = (value >= 0 ? "+" : "") + value.toFixed(3);
    v.className = "num";
    const cell = tr.insertCell();
    if (bar) {
      const b = document.createElement("span");
      b.className = "contrib " + (value >= 0 ? "pos" : "neg");
      b.style.width = `${(50 * Math.abs(value)) / scale}%`;
      cell.appendChild(b);
    }
  };
  add("average candidate's logit", get("logit_mean"), false);
  parts.forEach(([t, v]) => add(t, v, true));
  add("this state's logit", get("logit"), false);
  box.appendChild(list);
  const note = document.createElement("p");
  note.className = "note";
  note.textContent = "Each term's contribution to the logit is its coefficient times the state's value minus the " +
    "average candidate's; the average's logit plus the contributions is the state's logit.";
  box.appendChild(note);
}

// ------------------------------------------------------------------ plan

const DEFAULT_MISSION = "us_air_campaign";  // the mission the page starts from, when shipped

function useTemplate() {
  const name = $("mission-template").value;
  if (state.missions[name] !== undefined) $("mission").value = state.missions[name];
}

function drawPlanTable() {
  const doc = state.plan;
  if (!doc) return;
  const unit = doc.payment_unit;
  fillTable($("plan-table"), doc.candidates, { limit: Number($("plan-rows").value),
                                              labels: { price: `price (${unit})`, offer: `offer (${unit})` } });
}

async function makePlan() {
  showError("plan-error", "");
  const body = { mission: $("mission").value, scenarios: Number($("scenarios").value),
                 seed: Number($("seed").value), time_limit: Number($("time-limit").value),
                 sensitivity: $("sensitivity").checked };
  $("plan").disabled = true;
  try {
    const doc = await runJob("/api/plan", body, "plan-status");
    const m = doc.mission, e = doc.expected, unit = doc.payment_unit;
    let text = `${m.name}: lead ${m.lead}, ${m.date}, target ${m.target}; ${doc.n_planned} states to ask` +
      (doc.is_seed ? " [embedded seed data]" : "") + ". ";
    if (doc.infeasible) {
      text += "Infeasible: " + doc.infeasible.map((i) => i.message).join("; ");
    } else {
      text += `Expected coalition: ${fmt(e.size, "x")} partners of ${e.n_asked} asked, ` +
        `${Math.round(e.personnel || 0)} personnel, cost ${fmt(e.cost, "x")} ${unit}; requirements met in ` +
        `${(100 * e.p_meets_requirements).toFixed(1)}% of ${doc.n_eval} fresh scenarios ` +
        `(solver: ${doc.solver.status}, gap ${(100 * doc.solver.mip_gap).toFixed(1)}%).`;
    }
    $("plan-summary").textContent = text;
    state.plan = doc;
    drawPlanTable();
    if (doc.sensitivity.rows.length) fillTable($("plan-sensitivity"), doc.sensitivity);
    else { $("plan-sensitivity").tHead.replaceChildren(); $("plan-sensitivity").tBodies[0].replaceChildren(); }
  } catch (err) {
    showError("plan-error", err.message);
  } finally {
    running("plan-status", "");
    $("plan").disabled = false;
  }
}

// ------------------------------------------------------------------ start

async function start() {
  $("pick").addEventListener("submit", (ev) => { ev.preventDefault(); loadRanking(); });
  $("ties-form").addEventListener("submit", (ev) => { ev.preventDefault(); loadTies($("country").value.trim()); });
  $("forecast-form").addEventListener("submit", (ev) => { ev.preventDefault(); predict(); });
  $("plan-form").addEventListener("submit", (ev) => { ev.preventDefault(); makePlan(); });
  $("mission-template").addEventListener("change", useTemplate);
  $("ranking-rows").addEventListener("change", drawRanking);
  $("plan-rows").addEventListener("change", drawPlanTable);
  const ranking = loadRanking();
  try {
    const info = await getJSON("/api/info");
    state.missions = info.missions;
    if (state.missions[DEFAULT_MISSION] !== undefined) $("mission-template").value = DEFAULT_MISSION;
    const list = $("state-names");
    const ci = info.states.columns.indexOf("country");
    info.states.rows.forEach((r) => { const o = document.createElement("option"); o.value = r[ci]; list.appendChild(o); });
    useTemplate();
  } catch (err) {
    showError("pick-error", err.message);
  }
  await ranking;
  document.body.dataset.ready = "1";
}

document.addEventListener("DOMContentLoaded", start);
