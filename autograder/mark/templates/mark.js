"use strict";
(() => {
  const data = JSON.parse(document.getElementById("data").textContent);
  const token = new URLSearchParams(location.search).get("token") || "";
  const $ = (id) => document.getElementById(id);
  const entries = data.entries;
  const byKey = Object.fromEntries(entries.map((e) => [e.key, e]));
  const cache = {};
  let current = 0;
  let saving = Promise.resolve();
  let digits = "";
  let digitTimer = null;

  const graded = (e) => e.mark && e.mark.points !== null && e.mark.points !== undefined;
  const api = (path, init) => fetch(path, Object.assign({ headers: { "X-Mark-Token": token, "Content-Type": "application/json" } }, init || {}))
    .then((r) => r.json().then((body) => { if (!r.ok) throw new Error(body.error || r.status); return body; }));

  function status(text, error) {
    $("status").textContent = text;
    $("status").className = error ? "error" : "";
  }

  function progress() {
    const done = entries.filter(graded).length;
    $("progress").textContent = `${done} / ${entries.length}`;
    $("progress-bar").value = done;
    $("progress-bar").max = entries.length;
  }

  function load(key) {
    if (!cache[key]) cache[key] = api(`/api/answer/${data.slug}/${key}`);
    return cache[key];
  }

  function show() {
    const e = entries[current];
    if (!e) return;
    history.replaceState(null, "", `${location.pathname}${location.search}#${e.key}`);
    $("position").textContent = `answer / 答案 ${e.n} of ${entries.length}`;
    $("points").value = graded(e) ? e.mark.points : "";
    $("comment").value = e.mark ? e.mark.comment : "";
    $("student").textContent = "";
    document.querySelectorAll("[data-item]").forEach((b) => b.classList.remove("applied"));
    $("state").textContent = e.state;
    $("state").className = `badge state-${e.state}`;
    document.body.dataset.key = e.key;
    document.body.dataset.graded = graded(e) ? "yes" : "no";
    load(e.key).then((a) => {
      if (entries[current] !== e) return;
      $("state").textContent = a.description;
      if (a.html) $("answer").innerHTML = a.html;
      else $("answer").innerHTML = "";
      if (!a.html) {
        const p = document.createElement("p");
        p.innerHTML = "<strong></strong>";
        p.firstChild.textContent = a.description;
        $("answer").appendChild(p);
      }
      $("answer").dataset.key = e.key;
    }).catch((err) => status(`Could not load the answer / 无法加载答案: ${err.message}`, true));
    const next = step(1);
    if (next !== null) load(entries[next].key);
  }

  function step(direction) {
    const only = $("ungraded").checked;
    for (let i = current + direction; i >= 0 && i < entries.length; i += direction) {
      if (!only || !graded(entries[i])) return i;
    }
    return null;
  }

  function go(direction) {
    commitDigits();
    const i = step(direction);
    if (i === null) {
      status(direction > 0 ? "No further answer / 已是最后一份" : "No earlier answer / 已是第一份");
      return;
    }
    current = i;
    status("");
    show();
  }

  function save(points, comment) {
    const e = entries[current];
    const body = JSON.stringify({ points: points, comment: comment });
    status("saving… / 保存中…");
    saving = saving.then(() => api(`/api/mark/${data.slug}/${e.key}`, { method: "POST", body: body }))
      .then((r) => {
        e.mark = r.mark;
        progress();
        if (entries[current] === e) document.body.dataset.graded = graded(e) ? "yes" : "no";
        status(graded(e) ? `saved / 已保存: ${e.mark.points} / ${data.max}` : "saved / 已保存");
      })
      .catch((err) => status(`Not saved / 没有保存: ${err.message}`, true));
    return saving;
  }

  function currentPoints() {
    const v = $("points").value.trim();
    return v === "" ? null : Number(v);
  }

  function setPoints(value) {
    if (value > data.max) { status(`${value} is more than ${data.max} / 超过满分 ${data.max}`, true); return; }
    $("points").value = value;
    save(value, $("comment").value);
  }

  function commitDigits() {
    if (digitTimer) clearTimeout(digitTimer);
    digitTimer = null;
    if (digits !== "") { const v = Number(digits); digits = ""; setPoints(v); }
  }

  function digit(d) {
    if (digitTimer) clearTimeout(digitTimer);
    const joined = Number(digits + d);
    if (digits !== "" && joined > data.max) { commitDigits(); }
    digits += d;
    const v = Number(digits);
    if (v === 0 || v * 10 > data.max) commitDigits();
    else digitTimer = setTimeout(commitDigits, 700);
  }

  function applyItem(key) {
    const item = data.items.find((i) => i.key === key);
    if (!item) return;
    $("points").value = item.points;
    $("comment").value = item.comment;
    document.querySelectorAll("[data-item]").forEach((b) => b.classList.toggle("applied", b.dataset.item === key));
    save(item.points, item.comment);
  }

  function reveal() {
    const e = entries[current];
    api(`/api/reveal/${e.key}`).then((r) => { $("student").textContent = r.student; })
      .catch((err) => status(err.message, true));
  }

  $("next").addEventListener("click", () => go(1));
  $("prev").addEventListener("click", () => go(-1));
  $("reveal").addEventListener("click", reveal);
  $("clear").addEventListener("click", () => { $("points").value = ""; save(null, $("comment").value); });
  $("points").addEventListener("change", () => save(currentPoints(), $("comment").value));
  $("comment").addEventListener("change", () => save(currentPoints(), $("comment").value));
  $("ungraded").addEventListener("change", () => {
    if ($("ungraded").checked && graded(entries[current])) { const i = step(1) ?? step(-1); if (i !== null) { current = i; show(); } }
  });
  document.querySelectorAll("[data-item]").forEach((b) => b.addEventListener("click", () => applyItem(b.dataset.item)));
  window.addEventListener("beforeunload", () => {
    const e = entries[current];
    if (document.activeElement === $("comment") && e && (e.mark ? e.mark.comment : "") !== $("comment").value) {
      fetch(`/api/mark/${data.slug}/${e.key}`, { method: "POST", keepalive: true,
        headers: { "X-Mark-Token": token, "Content-Type": "application/json" },
        body: JSON.stringify({ points: currentPoints(), comment: $("comment").value }) });
    }
  });

  document.addEventListener("keydown", (ev) => {
    const typing = ev.target instanceof HTMLTextAreaElement || ev.target instanceof HTMLInputElement && ev.target.type !== "checkbox";
    if (typing) {
      if (ev.key === "Escape" || (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey))) { ev.preventDefault(); ev.target.blur(); }
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const k = ev.key;
    if (k === "j" || k === "ArrowRight") go(1);
    else if (k === "k" || k === "ArrowLeft") go(-1);
    else if (/^[0-9]$/.test(k)) digit(k);
    else if (k === "c") { ev.preventDefault(); commitDigits(); $("comment").focus(); }
    else if (k === "u") { $("ungraded").click(); }
    else if (k === "r") reveal();
    else if (k === "x") { commitDigits(); $("points").value = ""; save(null, $("comment").value); }
    else if (k === "h" || k === "?") $("help").open = !$("help").open;
    else if (data.items.some((i) => i.key === k)) { commitDigits(); applyItem(k); }
    else return;
    ev.preventDefault();
  });

  const start = location.hash.slice(1);
  if (start && byKey[start]) current = entries.indexOf(byKey[start]);
  progress();
  show();
})();
