// mortem: the little JavaScript the page uses. Everything works without it; this adds
// row editing, live lint, uploads without leaving the editor, and lazy history.
"use strict";

(function () {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  function text(tag, value, cls) {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = value;
    return el;
  }

  // -- rows of the editor: add and remove -------------------------------------------
  function removeButton(row) {
    const cell = row.querySelector(".rowtools");
    if (!cell) return;
    const box = cell.querySelector('input[type="checkbox"]');
    cell.textContent = "";
    const button = text("button", "Remove", "btn small ghost");
    button.type = "button";
    button.addEventListener("click", () => {
      const body = row.parentNode;
      row.remove();
      body.dispatchEvent(new Event("input", { bubbles: true }));
    });
    cell.appendChild(button);
    if (box && box.checked) row.remove();
  }

  function grow(area) {
    area.style.height = "auto";
    area.style.height = area.scrollHeight + 2 + "px";
  }

  function setUpRows(fieldset) {
    const template = fieldset.querySelector("template");
    const body = fieldset.querySelector(".rowlist");
    if (!template || !body) return;
    body.querySelectorAll(".row").forEach(removeButton);
    const add = text("button", "+ Add row", "btn small addrow");
    add.type = "button";
    add.dataset.add = fieldset.dataset.table;
    add.addEventListener("click", () => {
      const row = template.content.firstElementChild.cloneNode(true);
      body.appendChild(row);
      removeButton(row);
      row.querySelectorAll("textarea").forEach(grow);
      const first = row.querySelector("input:not([type=hidden]), textarea, select");
      if (first) first.focus();
    });
    body.after(add);
  }

  // -- live lint ------------------------------------------------------------------------
  function renderFindings(data) {
    const box = document.getElementById("lint-results");
    const count = document.getElementById("lint-count");
    const state = document.getElementById("lint-state");
    if (!box) return;
    box.textContent = "";
    const list = document.createElement("ul");
    list.className = "findings";
    const add = (severity, code, where, message, hint) => {
      const li = document.createElement("li");
      li.className = "finding sev-" + severity;
      li.appendChild(text("span", code, "badge lint-" + severity));
      if (where) li.appendChild(text("span", where, "where"));
      li.appendChild(text("span", message, "msg"));
      if (hint) li.appendChild(text("span", hint, "hint"));
      list.appendChild(li);
    };
    (data.errors || []).forEach((e) => add("error", "form", e.field, e.message));
    (data.problems || []).forEach((p) => add("error", "format", p.field || "", p.message));
    (data.lint || []).forEach((f) => add(f.severity, f.code, "line " + f.line, f.message, f.suggestion));
    const n = list.children.length;
    count.textContent = n ? String(n) : "";
    if (n) box.appendChild(list);
    else box.appendChild(text("p", "No findings.", "ok"));
    state.textContent = data.stale
      ? "Someone saved a newer version: saving will show you the differences."
      : "Checked as you type.";
  }

  function setUpLint(form) {
    const url = form.dataset.lintUrl;
    if (!url) return;
    let timer = null;
    let running = null;
    const check = () => {
      if (running) running.abort();
      running = new AbortController();
      const state = document.getElementById("lint-state");
      if (state) state.textContent = "Checking…";
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-CSRF-Token": csrf(), Accept: "application/json" },
        signal: running.signal,
        credentials: "same-origin",
      })
        .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
        .then(renderFindings)
        .catch((e) => {
          if (e && e.name === "AbortError") return;
          if (state) state.textContent = "Could not check just now.";
        });
    };
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(check, 600);
    };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  // -- uploads ----------------------------------------------------------------------------
  function setUpUpload() {
    const upload = document.getElementById("upload-form");
    const file = document.getElementById("upload-file");
    const state = document.getElementById("upload-state");
    const revision = document.getElementById("revision");
    const body = document.getElementById("body");
    if (!upload || !file) return;
    upload.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!file.files.length) {
        state.textContent = "Choose an image first.";
        return;
      }
      const data = new FormData();
      data.append("file", file.files[0]);
      data.append("revision", revision.value);
      state.textContent = "Uploading…";
      fetch(upload.action, {
        method: "POST",
        body: data,
        headers: { "X-CSRF-Token": csrf(), Accept: "application/json", "X-Requested-With": "fetch" },
        credentials: "same-origin",
      })
        .then((r) => r.json().then((json) => ({ ok: r.ok, json })))
        .then(({ ok, json }) => {
          if (!ok) {
            state.textContent = json.error || "The upload was refused.";
            return;
          }
          if (json.revision) revision.value = json.revision;
          if (body && body.value.indexOf("](" + json.link + ")") < 0) {
            // As the server links an attachment in the file: a list item under an
            // Evidence heading at the end, the heading added the first time.
            let text = body.value.replace(/\s*$/, "");
            if (!/(^|\n)## Evidence\s*(\n|$)/.test(text)) text += "\n\n## Evidence\n";
            body.value = text + "\n- " + json.markdown + "\n";
          }
          state.textContent = "Attached " + json.name + ": it is linked under Evidence at the end of the narrative.";
          file.value = "";
        })
        .catch(() => {
          state.textContent = "The upload failed.";
        });
    });
  }

  // -- history and related postmortems, loaded after the page is shown -----------------
  const renderers = {
    history: (data) =>
      (data.commits || []).slice(0, 8).map((c) => [c.subject, c.author + " · " + c.date.slice(0, 10), null]),
    related: (data) =>
      (data.related || []).map((r) => [
        r.title || r.id,
        (r.started_at || "").slice(0, 10) + " · " + r.reason,
        "/postmortems/" + encodeURIComponent(r.id),
      ]),
  };

  function setUpLazy(box) {
    const render = renderers[box.dataset.kind];
    if (!render) return;
    fetch(box.dataset.load, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((data) => {
        const rows = render(data);
        const more = box.querySelector("a");
        box.textContent = "";
        if (!rows.length) {
          box.appendChild(text("p", box.dataset.kind === "related" ? "Nothing similar found." : "No history.", "empty"));
          return;
        }
        const list = document.createElement("ul");
        list.className = "itemlist";
        rows.forEach(([title, sub, href]) => {
          const li = document.createElement("li");
          if (href) {
            const link = text("a", title);
            link.href = href;
            li.appendChild(link);
          } else {
            li.appendChild(text("div", title));
          }
          li.appendChild(text("div", sub, "sub"));
          list.appendChild(li);
        });
        box.appendChild(list);
        if (more && box.dataset.kind === "history") {
          more.textContent = "Full history";
          box.appendChild(more);
        }
      })
      .catch(() => {});
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("fieldset.rows").forEach(setUpRows);
    const growing = ".rowlist textarea, textarea[name=impact]";
    document.querySelectorAll(growing).forEach(grow);
    document.addEventListener("input", (event) => {
      if (event.target.matches && event.target.matches(growing)) grow(event.target);
    });
    const editor = document.getElementById("editor");
    if (editor) setUpLint(editor);
    setUpUpload();
    document.querySelectorAll("[data-load]").forEach(setUpLazy);
  });
})();
