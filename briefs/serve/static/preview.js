// The live preview: follows the agreement's state on its event stream and redraws the page from it.
// Every event carries the whole state, so a missed one changes nothing.
"use strict";

(() => {
  const body = document.body;
  const $ = (id) => document.getElementById(id);
  const grid = $("grid");
  const problems = $("problems");
  const problemList = $("problem-list");
  const problemsHeading = $("problems-heading");
  const missing = $("missing");
  const failed = $("failed");
  const status = $("status");
  const heading = $("heading");
  const fit = $("fit");
  const pagesBase = body.dataset.pages;

  const clock = () => new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });

  function setStatus(kind, text) {
    status.dataset.kind = kind;
    status.textContent = text;
  }

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // the content's hash is in every address: a page of an older build is never shown for a newer one
  function pageUrl(file, n, dpi) {
    const url = `${pagesBase}${encodeURIComponent(file.name)}/${n}.png?v=${file.sha256}`;
    return dpi ? `${url}&dpi=${dpi}` : url;
  }

  function showPages(cell, pdf) {
    const holder = cell.querySelector(".pages");
    if (!pdf || !pdf.pages) {
      if (cell.dataset.sha !== "" || !holder.querySelector(".empty")) {
        holder.replaceChildren(element("p", { class: "empty", lang: "en" }, "Not built yet: the pages appear here when the build finishes."));
      }
      cell.dataset.sha = "";
      return;
    }
    if (cell.dataset.sha === pdf.sha256) return;
    holder.querySelector(".empty")?.remove();
    const links = Array.from(holder.querySelectorAll("a.page"));
    const label = cell.dataset.pageLabel;
    for (let n = 1; n <= pdf.pages; n++) {
      let link = links[n - 1];
      if (!link) {
        // a new page; the images already there keep showing until their new version has loaded
        link = element("a", { class: "page", target: "_blank", rel: "noopener" });
        const image = element("img", { sizes: "(min-width: 60rem) 50vw, 100vw" });
        if (cell.dataset.labelLang !== cell.dataset.lang) image.lang = cell.dataset.labelLang;
        if (n > 1) image.loading = "lazy";
        link.append(image);
        holder.append(link);
      }
      link.href = `${pdf.url}#page=${n}`;
      const image = link.querySelector("img");
      image.alt = label.replace("{n}", String(n)).replace("{total}", String(pdf.pages));
      image.srcset = `${pageUrl(pdf, n)} 496w, ${pageUrl(pdf, n, 120)} 992w`;
      image.src = pageUrl(pdf, n);
    }
    for (const extra of links.slice(pdf.pages)) extra.remove();
    cell.dataset.sha = pdf.sha256;
  }

  function showDownloads(cell, files) {
    const list = cell.querySelector(".downloads");
    list.replaceChildren(
      ...files.map((file) => {
        let text = file.format.toUpperCase();
        if (file.pages) text += ` · ${file.pages} p.`;
        text += ` · ${Math.round(file.bytes / 1024)} KB`;
        const link = element("a", { href: `${file.url}?v=${file.sha256.slice(0, 16)}`, download: file.name });
        if (!file.current) {
          link.className = "stale";
          link.title = "Older than the agreement file: being rebuilt";
          text += " (updating)";
        }
        link.textContent = text;
        const item = element("li");
        item.append(link);
        return item;
      }),
    );
  }

  function showProblems(state) {
    const count = state.problems.length;
    problemsHeading.textContent = `${count} problem${count === 1 ? "" : "s"} in the agreement file`;
    problemList.replaceChildren(
      ...state.problems.map((problem) => {
        // the place in bold, as the command line prints it: file:line:column, then field and message
        const where = `${problem.file}:${problem.line}:${problem.column}`;
        const code = element("code");
        code.append(element("strong", {}, where), problem.text.slice(where.length));
        const item = element("li");
        item.append(code);
        return item;
      }),
    );
  }

  function render(state) {
    missing.hidden = state.state !== "missing";
    problems.hidden = state.state !== "invalid";
    grid.hidden = state.state !== "built";
    const failures = state.failed || [];
    failed.hidden = failures.length === 0;
    failed.textContent = failures.join("\n");
    if (state.state === "missing") {
      setStatus("bad", "Not found");
      return;
    }
    if (state.state === "invalid") {
      showProblems(state);
      setStatus("bad", `Invalid · ${clock()}`);
      return;
    }
    const short = state.short_title || {};
    const lang = heading.lang;
    if (short[lang]) {
      heading.textContent = short[lang];
      document.title = `${short[lang]} · preview`;
    }
    for (const cell of grid.querySelectorAll(".cell")) {
      const mine = state.files.filter((file) => file.kind === cell.dataset.kind && file.lang === cell.dataset.lang);
      showPages(cell, mine.find((file) => file.format === "pdf"));
      showDownloads(cell, mine);
    }
    if (state.building) setStatus("busy", "Rebuilding…");
    else if (failures.length) setStatus("bad", `Build failed · ${clock()}`);
    else setStatus("ok", `Up to date · ${clock()}`);
  }

  // whole pages in the window, or pages as wide as their column: remembered for the next visit
  function setFit(whole) {
    body.classList.toggle("whole-pages", whole);
    fit.setAttribute("aria-pressed", String(whole));
    try {
      localStorage.setItem("briefs-whole-pages", whole ? "1" : "");
    } catch {
      // storage may be off; the choice then lasts for this page only
    }
  }
  let remembered = false;
  try {
    remembered = localStorage.getItem("briefs-whole-pages") === "1";
  } catch {
    remembered = false;
  }
  setFit(remembered);
  fit.addEventListener("click", () => setFit(!body.classList.contains("whole-pages")));

  const source = new EventSource(body.dataset.events);
  source.addEventListener("message", (event) => render(JSON.parse(event.data)));
  // the browser reconnects by itself; the first event after it brings the state up to date
  source.addEventListener("error", () => setStatus("off", "Reconnecting…"));
})();
