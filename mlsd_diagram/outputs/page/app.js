/* mlsd-diagram design page: the live preview (`mlsd serve`) and the offline report (`mlsd report`).
 *
 * Every text from the blueprint reaches the page through textContent or setAttribute on
 * elements built here, never through innerHTML. The diagram's SVG is parsed as XML,
 * stripped of anything active (scripts, event handlers, foreign objects, links), then imported.
 * Served: data from /api/state, updates pushed on /api/events (Server-Sent Events),
 * knock-outs answered by /api/knockout. Report: data from the inline JSON block, knock-outs
 * from the precomputed table in it; no network access at all.
 */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var XLINK_NS = "http://www.w3.org/1999/xlink";
  var dataBlock = document.getElementById("mlsd-data");
  var REPORT = dataBlock !== null;

  var state = {
    version: null,      // served: the server's version of what we show
    data: null,         // the last good page data
    byId: {},           // component id -> component
    knocked: [],        // knocked-out component ids, in click order
    selected: null,     // selected component id
    view: null,         // the current knock-out view
    loadIndex: null     // the load slider's position: an index into data.load.factors
  };

  // -- building DOM -------------------------------------------------------------------------

  // A time in ms as text; the serving model writes a time that never comes (a request that hangs) as the
  // largest float, shown as "\u221e" rather than as 1.7976931348623157e+308.
  function ms(value) {
    return (value >= Number.MAX_VALUE ? "\u221e" : String(value)) + " ms";
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) { return; }
        if (name === "text") { node.textContent = String(value); }
        else if (name === "className") { node.className = value; }
        else { node.setAttribute(name, value === true ? "" : String(value)); }
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) { return; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
    return node;
  }

  var ui = {};

  function buildShell() {
    ui.title = el("h1", {id: "mlsd-title", text: "mlsd"});
    ui.file = el("span", {id: "mlsd-file", className: "muted"});
    ui.status = el("span", {id: "mlsd-status", className: "status", text: REPORT ? "report" : "connecting"});
    ui.errors = el("section", {id: "mlsd-errors", className: "errors", hidden: true, role: "alert"});
    ui.summary = el("p", {id: "mlsd-summary", className: "muted"});
    ui.diagram = el("div", {id: "mlsd-diagram", className: "diagram fit", "aria-label": "diagram"});
    ui.zoom = el("button", {type: "button", id: "mlsd-zoom", text: "Actual size"});
    ui.zoom.addEventListener("click", function () {
      var fit = ui.diagram.classList.toggle("fit");
      ui.zoom.textContent = fit ? "Actual size" : "Fit to width";
    });
    ui.details = el("div", {id: "mlsd-details"}, [el("p", {className: "muted", text: "Click a component for its details."})]);
    ui.entries = el("ul", {id: "mlsd-entry-points", className: "entries"});
    ui.knocked = el("div", {id: "mlsd-knocked"});
    ui.setsNote = el("p", {id: "mlsd-sets-note", className: "muted"});
    ui.loadSlider = el("input", {type: "range", id: "mlsd-load", min: 0, max: 0, step: 1, value: 0,
                                 "aria-label": "load, as a multiple of the peak qps"});
    ui.loadSlider.addEventListener("input", function () {
      state.loadIndex = Number(ui.loadSlider.value);
      showLoad();
    });
    ui.loadFactor = el("output", {id: "mlsd-load-factor", "for": "mlsd-load"});
    ui.loadRange = el("div", {className: "load-range muted"});
    ui.loadEntries = el("ul", {id: "mlsd-load-entries", className: "entries"});
    ui.critical = el("p", {id: "mlsd-critical-path"});
    ui.headroom = el("p", {id: "mlsd-headroom", className: "muted"});
    ui.loadNote = el("p", {id: "mlsd-load-note", className: "muted"});
    ui.loadTitle = el("h2", {id: "mlsd-load-title", text: "Load"});
    ui.loadTable = el("div", {id: "mlsd-load-table"});
    ui.findings = el("div", {id: "mlsd-findings"});
    ui.latency = el("div", {id: "mlsd-latency"});
    ui.resilience = el("ul", {id: "mlsd-resilience", className: "muted"});
    ui.score = el("div", {id: "mlsd-score"});
    document.body.appendChild(el("header", null, [ui.title, ui.file, ui.status]));
    document.body.appendChild(ui.errors);
    ui.practice = el("section", {id: "mlsd-practice", className: "practice", hidden: true});
    document.body.appendChild(ui.practice);
    document.body.appendChild(el("main", null, [
      el("div", {className: "left"}, [el("div", {className: "toolbar"}, [ui.summary, ui.zoom]), ui.diagram]),
      el("aside", {id: "mlsd-side"}, [
        el("h2", {text: "Component"}), ui.details,
        el("h2", {text: "Knock-outs"}), ui.entries, ui.knocked, ui.setsNote,
        el("h2", {text: "Load"}),
        el("div", {className: "load-control"}, [ui.loadSlider, ui.loadRange, ui.loadFactor]),
        ui.loadEntries, ui.critical, ui.headroom, ui.loadNote
      ])
    ]));
    document.body.appendChild(el("section", {className: "panels"}, [
      el("div", null, [el("h2", {text: "Lint findings"}), ui.findings]),
      el("div", null, [el("h2", {text: "Request-path latency against the SLO"}), ui.latency, ui.resilience]),
      el("div", null, [ui.loadTitle, ui.loadTable]),
      el("div", null, [el("h2", {text: "Design score"}), ui.score])
    ]));
    ui.request = el("section", {id: "mlsd-request", className: "request", hidden: true}, [
      el("h2", {text: "The slowest request, call by call (p99 and p50)"})]);
    document.body.appendChild(ui.request);
    ui.diagram.addEventListener("click", onDiagramClick);
  }

  // -- the diagram ----------------------------------------------------------------------------

  function safeHref(value) {
    return value.charAt(0) === "#" || /^data:image\/(png|jpeg|gif|svg\+xml);/i.test(value);
  }

  function sanitize(root) {
    var drop = root.querySelectorAll("script, foreignObject, iframe, object, embed, use[href^='http'], style");
    Array.prototype.forEach.call(drop, function (node) { node.parentNode.removeChild(node); });
    var all = [root].concat(Array.prototype.slice.call(root.querySelectorAll("*")));
    all.forEach(function (node) {
      Array.prototype.slice.call(node.attributes).forEach(function (attr) {
        var name = attr.name.toLowerCase();
        if (name.indexOf("on") === 0) { node.removeAttribute(attr.name); }
        else if (name === "style") {
          // Inline style attributes would need 'unsafe-inline'; the CSSOM does not.
          var text = attr.value;
          node.removeAttribute(attr.name);
          node.setAttribute("data-mlsd-style", text);
        } else if ((name === "href" || name === "xlink:href") && !safeHref(attr.value)) {
          node.removeAttributeNS(attr.namespaceURI, attr.localName);
        }
      });
    });
    // <a> wrappers become plain groups (nothing in the diagram navigates anywhere);
    // their tooltip text moves into a <title>, which browsers show on hover.
    Array.prototype.forEach.call(root.querySelectorAll("a"), function (link) {
      var group = document.createElementNS(SVG_NS, "g");
      var tip = link.getAttributeNS(XLINK_NS, "title") || link.getAttribute("title");
      if (tip) {
        var title = document.createElementNS(SVG_NS, "title");
        title.textContent = tip;
        group.appendChild(title);
      }
      while (link.firstChild) { group.appendChild(link.firstChild); }
      link.parentNode.replaceChild(group, link);
    });
  }

  function applyStyles(root) {
    var all = [root].concat(Array.prototype.slice.call(root.querySelectorAll("[data-mlsd-style]")));
    all.forEach(function (node) {
      var text = node.getAttribute("data-mlsd-style");
      if (text === null) { return; }
      node.removeAttribute("data-mlsd-style");
      text.split(";").forEach(function (decl) {
        var at = decl.indexOf(":");
        if (at > 0) { node.style.setProperty(decl.slice(0, at).trim(), decl.slice(at + 1).trim()); }
      });
    });
  }

  // The request view (the report draws it): a picture only, sanitised like the diagram.
  function renderRequest(svgText) {
    var old = document.getElementById("mlsd-request-svg");
    if (old) { old.parentNode.removeChild(old); }
    ui.request.hidden = !svgText;
    if (!svgText) { return; }
    var parsed = new DOMParser().parseFromString(svgText, "image/svg+xml");
    var root = parsed.documentElement;
    if (!root || root.nodeName !== "svg" || parsed.getElementsByTagName("parsererror").length) { return; }
    sanitize(root);
    var svg = document.importNode(root, true);
    applyStyles(svg);
    svg.setAttribute("id", "mlsd-request-svg");
    ui.request.appendChild(svg);
  }

  function renderDiagram(svgText) {
    var parsed = new DOMParser().parseFromString(svgText, "image/svg+xml");
    var root = parsed.documentElement;
    if (!root || root.nodeName !== "svg" || parsed.getElementsByTagName("parsererror").length) {
      clear(ui.diagram).appendChild(el("p", {className: "error-line", text: "the diagram could not be read"}));
      return;
    }
    sanitize(root);
    var svg = document.importNode(root, true);
    applyStyles(svg);
    svg.setAttribute("id", "mlsd-diagram-svg");
    clear(ui.diagram).appendChild(svg);
    // A halo behind every component, coloured by knock-out state (works for icon nodes too).
    Array.prototype.forEach.call(svg.querySelectorAll("g.node"), function (node) {
      var box;
      try { box = node.getBBox(); } catch (e) { return; }
      var halo = document.createElementNS(SVG_NS, "rect");
      halo.setAttribute("class", "halo");
      halo.setAttribute("x", box.x - 4);
      halo.setAttribute("y", box.y - 4);
      halo.setAttribute("width", box.width + 8);
      halo.setAttribute("height", box.height + 8);
      halo.setAttribute("rx", 6);
      node.insertBefore(halo, node.firstChild);
      // an outline for the critical path, and a badge for the load (filled in by paintLoad)
      var outline = document.createElementNS(SVG_NS, "rect");
      outline.setAttribute("class", "critical-outline");
      outline.setAttribute("x", box.x - 8);
      outline.setAttribute("y", box.y - 8);
      outline.setAttribute("width", box.width + 16);
      outline.setAttribute("height", box.height + 16);
      outline.setAttribute("rx", 8);
      node.insertBefore(outline, node.firstChild);
      var badge = document.createElementNS(SVG_NS, "text");
      badge.setAttribute("class", "load-badge");
      badge.setAttribute("x", box.x + box.width + 6);
      badge.setAttribute("y", box.y - 10);
      badge.setAttribute("text-anchor", "end");
      node.appendChild(badge);
    });
  }

  function nodeOf(id) { return document.getElementById("component-" + id); }
  function edgeOf(index) { return document.getElementById("flow-" + index); }

  function onDiagramClick(event) {
    var target = event.target;
    var node = target && target.closest ? target.closest("g.node") : null;
    if (!node || !node.id || node.id.indexOf("component-") !== 0) { return; }
    select(node.id.slice("component-".length));
  }

  // -- panels ---------------------------------------------------------------------------------

  function row(label, value) {
    if (value === null || value === undefined || value === "") { return null; }
    return el("tr", null, [el("th", {text: label}), el("td", {text: String(value)})]);
  }

  function findingsFor(id) {
    return state.data.findings.filter(function (f) { return f.component === id; });
  }

  function select(id) {
    var component = state.byId[id];
    state.selected = component ? id : null;
    Array.prototype.forEach.call(document.querySelectorAll("g.node.selected"), function (n) {
      n.classList.remove("selected");
    });
    clear(ui.details);
    if (!component) {
      ui.details.appendChild(el("p", {className: "muted", text: "Click a component for its details."}));
      return;
    }
    var node = nodeOf(id);
    if (node) { node.classList.add("selected"); }
    var toggle = el("input", {type: "checkbox", id: "mlsd-knockout-toggle"});
    toggle.checked = state.knocked.indexOf(id) >= 0;
    toggle.addEventListener("change", function () { setKnocked(id, toggle.checked); });
    var list = el("ul", {className: "component-findings"});
    findingsFor(id).forEach(function (f) { list.appendChild(findingItem(f)); });
    ui.details.appendChild(el("h3", {id: "mlsd-details-title", text: component.label}));
    ui.details.appendChild(el("table", {className: "facts"}, [
      row("id", component.id),
      row("kind", component.kind + (component.kind_written !== component.kind ? " (" + component.kind_written + ")" : "")),
      row("stage", component.stage),
      row("roles", component.roles.join(", ")),
      row("tech", component.tech),
      row("replicas", component.replicas),
      row("latency p99", component.latency_p99_ms === null ? null : component.latency_p99_ms + " ms"),
      row("task", component.task),
      row("model", component.model),
      row("notes", component.notes),
      row("written at", "line " + component.line + ", column " + component.column)
    ]));
    ui.details.appendChild(el("label", {className: "toggle"}, [toggle, " knock out"]));
    if (list.childNodes.length) {
      ui.details.appendChild(el("h4", {text: "Findings"}));
      ui.details.appendChild(list);
    }
  }

  function findingItem(f) {
    var where = (f.line ? f.line + ":" + (f.column || 1) + ": " : "");
    var item = el("li", {className: "finding sev-" + f.severity + (f.accepted ? " accepted" : ""),
                         tabindex: 0, "data-rule": f.rule}, [
      el("span", {className: "sev", text: f.severity}), " ",
      el("code", {text: f.rule}), " ",
      el("span", {className: "where", text: where}),
      el("span", {text: f.message}),
      f.accepted ? el("span", {className: "muted", text: " (accepted: " + (f.reason || "") + ")"}) : null
    ]);
    item.addEventListener("click", function () { highlight(f); });
    item.addEventListener("keydown", function (e) { if (e.key === "Enter") { highlight(f); } });
    return item;
  }

  function highlight(f) {
    Array.prototype.forEach.call(document.querySelectorAll("#mlsd-diagram-svg .flash"), function (n) {
      n.classList.remove("flash");
    });
    var target = null;
    if (f.component !== null && f.component !== undefined) {
      target = nodeOf(f.component);
      select(f.component);
    } else if (f.flow !== null && f.flow !== undefined) {
      target = edgeOf(f.flow);
    }
    if (target) {
      target.classList.add("flash");
      if (target.scrollIntoView) { target.scrollIntoView({block: "nearest", inline: "nearest"}); }
    }
  }

  function renderFindings(findings) {
    clear(ui.findings);
    if (!findings.length) {
      ui.findings.appendChild(el("p", {className: "muted", text: "No findings."}));
      return;
    }
    var list = el("ul", {className: "findings"});
    findings.forEach(function (f) { list.appendChild(findingItem(f)); });
    ui.findings.appendChild(list);
  }

  function renderLatency(latency) {
    clear(ui.latency);
    var names = Object.keys(latency || {}).sort();
    if (!names.length) {
      ui.latency.appendChild(el("p", {className: "muted", text: "No entry points."}));
      return;
    }
    var body = el("tbody");
    names.forEach(function (name) {
      var l = latency[name] || {};
      var over = l.slo_ms !== null && l.slo_ms !== undefined && l.p99_ms > l.slo_ms;
      body.appendChild(el("tr", {className: over ? "over" : null, "data-entry": name}, [
        el("td", {text: name}),
        el("td", {className: "num", text: l.p99_ms === undefined || l.p99_ms === null ? "?" : ms(l.p99_ms)}),
        el("td", {className: "num", text: l.slo_ms === undefined || l.slo_ms === null ? "none" : l.slo_ms + " ms"}),
        el("td", {text: (l.path || []).join(" \u2192 ")}),
        el("td", {className: "muted", text: (l.missing && l.missing.length) ? "no latency given: " + l.missing.join(", ") : ""})
      ]));
    });
    ui.latency.appendChild(el("table", {className: "grid"}, [
      el("thead", null, [el("tr", null, [el("th", {text: "entry"}), el("th", {text: "p99"}), el("th", {text: "SLO"}),
                                          el("th", {text: "slowest path"}), el("th", {text: ""})])]),
      body
    ]));
  }

  // availability and retry amplification at 1x peak, as the page data gives them (the doc has the tables)
  function renderResilience(r) {
    clear(ui.resilience);
    ((r && r.availability) || []).forEach(function (a) {
      ui.resilience.appendChild(el("li", {className: a.below ? "over" : null, "data-entry": a.entry},
        ["Availability from " + a.entry + ": " + a.availability + " %" +
         (a.slo === null ? " (no SLO set)" : (a.below ? ", below the " : ", within the ") + a.slo + " % SLO") +
         (a.dominant.length ? "; largest term: " + a.dominant.join(" and ") : "") + "."]));
    });
    ((r && r.retries) || []).forEach(function (l) {
      ui.resilience.appendChild(el("li", {"data-component": l.component},
        ["Retries at 1x peak: " + l.component + " gets up to " + thousands(l.worst) + " attempts per request (" +
         thousands(l.calls) + " without retries)" +
         (l.hangs ? "; over capacity without shedding, it hangs." :
          l.reject_share > 0 ? "; rejects " + percent(l.reject_share) + " at peak." : ".")]));
    });
  }

  function renderScore(score) {
    clear(ui.score);
    if (!score) { return; }
    ui.score.appendChild(el("p", {id: "mlsd-mlops-level", className: "big", text: "MLOps level " + score.mlops_level}));
    if (score.mlops_reason) { ui.score.appendChild(el("p", {className: "muted", text: score.mlops_reason})); }
    ui.score.appendChild(el("p", {id: "mlsd-test-score", text: "ML Test Score: " + score.shown + " of " + score.total +
                                  " tests an architecture can show are shown"}));
    var body = el("tbody");
    (score.tests || []).forEach(function (t) {
      body.appendChild(el("tr", {className: t.shown ? "shown" : "missing"}, [
        el("td", {className: "mark", text: t.shown ? "\u2713" : "\u2717"}),
        el("td", null, [el("strong", {text: t.id}), " ", t.title]),
        el("td", {className: "muted", text: t.reason})
      ]));
    });
    ui.score.appendChild(el("table", {className: "grid score"}, [body]));
    if (score.manual && score.manual.length) {
      var list = el("ul");
      score.manual.forEach(function (m) { list.appendChild(el("li", null, [el("strong", {text: m.id}), " ", m.title])); });
      ui.score.appendChild(el("details", null, [
        el("summary", {text: score.manual.length + " tests need evidence outside the architecture (manual checklist)"}),
        list
      ]));
    }
  }

  function renderEntries(states) {
    clear(ui.entries);
    state.data.entry_points.forEach(function (entry) {
      var s = (states && states[entry]) || "served";
      ui.entries.appendChild(el("li", {className: "entry state-" + s, "data-entry": entry}, [
        el("span", {className: "name", text: (state.byId[entry] || {label: entry}).label}), " ",
        el("span", {className: "state", text: s})
      ]));
    });
    clear(ui.knocked);
    if (state.knocked.length) {
      var button = el("button", {type: "button", id: "mlsd-clear-knockouts", text: "Clear knock-outs"});
      button.addEventListener("click", function () { state.knocked = []; refreshKnockOut(); if (state.selected) { select(state.selected); } });
      ui.knocked.appendChild(el("p", {id: "mlsd-knocked-list"}, [
        "Knocked out: ", el("strong", {text: state.knocked.join(", ")}), " "
      ]));
      ui.knocked.appendChild(button);
    }
  }

  // -- knock-outs -----------------------------------------------------------------------------

  function setKnocked(id, on) {
    var at = state.knocked.indexOf(id);
    if (on && at < 0) { state.knocked.push(id); }
    if (!on && at >= 0) { state.knocked.splice(at, 1); }
    refreshKnockOut();
  }

  function baselineView() {
    // The intact design is not always served: a call that always times out degrades its caller.
    var intact = state.data.request_path.entry_points || {}, states = {};
    state.data.entry_points.forEach(function (e) { states[e] = intact[e] || "served"; });
    return {knocked_out: [], entry_points: states, states: {}, components: state.data.request_path.components,
            flows: state.data.request_path.flows};
  }

  var CODES = {s: "served", d: "degraded", x: "down"};

  function precomputedView(knocked) {
    var pre = state.data.precomputed;
    // Components off the request path change nothing the page shows: the intact design's view.
    var key = knocked.filter(function (id) { return pre.relevant.indexOf(id) >= 0; }).sort().join(",");
    if (key === "") { return baselineView(); }
    var hit = pre.table[key];
    if (!hit) { return null; }
    var entries = {}, states = {};
    state.data.entry_points.forEach(function (e, i) { entries[e] = CODES[hit.s.charAt(i)] || "unknown"; });
    pre.relevant.forEach(function (c, i) { states[c] = CODES[hit.n.charAt(i)] || "unknown"; });
    return {knocked_out: knocked.slice().sort(), entry_points: entries, states: states,
            components: hit.c.map(function (i) { return state.data.components[i].id; }), flows: hit.f};
  }

  var pending = 0;

  function refreshKnockOut() {
    var knocked = state.knocked.slice();
    if (!knocked.length) { showView(baselineView()); return; }
    if (REPORT) {
      var view = precomputedView(knocked);
      if (view) { showView(view); }
      else { showView(null, "This set of knock-outs was not precomputed in the report (" + state.data.precomputed.note + ")."); }
      return;
    }
    var ticket = ++pending;
    fetch("/api/knockout?components=" + encodeURIComponent(knocked.join(",")), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (answer) {
        if (ticket !== pending) { return; }
        if (answer.ok) { showView(answer.body); }
        else { showView(null, answer.body.error || "knock-out failed"); }
      })
      .catch(function () { if (ticket === pending) { setStatus("disconnected", "bad"); } });
  }

  function showView(view, message) {
    state.view = view;
    var knocked = state.knocked;
    var onPath = {}, onFlow = {}, normal = {}, normalFlow = {};
    state.data.request_path.components.forEach(function (c) { normal[c] = true; });
    state.data.request_path.flows.forEach(function (f) { normalFlow[f] = true; });
    if (view) {
      view.components.forEach(function (c) { onPath[c] = true; });
      view.flows.forEach(function (f) { onFlow[f] = true; });
    }
    var active = knocked.length > 0 && view;
    state.data.components.forEach(function (c) {
      var node = nodeOf(c.id);
      if (!node) { return; }
      node.classList.toggle("ko", knocked.indexOf(c.id) >= 0);
      node.classList.toggle("onpath", Boolean(active && onPath[c.id]));
      node.classList.toggle("cut", Boolean(active && normal[c.id] && !onPath[c.id] && knocked.indexOf(c.id) < 0));
      ["served", "degraded", "down"].forEach(function (s) { node.classList.remove("state-" + s); });
      var s = active ? (view.entry_points[c.id] || (view.states || {})[c.id]) : null;
      if (s && (s !== "served" || view.entry_points[c.id])) { node.classList.add("state-" + s); }
    });
    state.data.flows.forEach(function (f) {
      var edge = edgeOf(f.index);
      if (!edge) { return; }
      edge.classList.toggle("onpath", Boolean(active && onFlow[f.index]));
      edge.classList.toggle("cut", Boolean(active && normalFlow[f.index] && !onFlow[f.index]));
    });
    renderEntries(view ? view.entry_points : null);
    if (message) { ui.knocked.appendChild(el("p", {id: "mlsd-knockout-message", className: "error-line", text: message})); }
    if (state.selected) {
      var toggle = document.getElementById("mlsd-knockout-toggle");
      if (toggle) { toggle.checked = knocked.indexOf(state.selected) >= 0; }
    }
    showLoad();
  }

  // -- load -----------------------------------------------------------------------------------
  // The states at each factor come precomputed in data.load (analyses.serving.load_sweep); the
  // slider only picks one. Nothing here decides a state.

  var LOAD_CLASSES = ["load-served", "load-degraded", "load-down", "load-ok", "load-shedding", "load-overloaded",
                      "load-failed", "load-unknown", "util-high", "critical"];

  function thousands(value) {
    var text = String(value);
    var parts = text.split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return parts.join(".");
  }

  function percent(utilization) { return Math.round(utilization * 100) + "%"; }

  function hasPeak(load) {
    return Boolean(load) && Object.keys(load.peak_qps).some(function (e) { return load.peak_qps[e] !== null; });
  }

  function setupLoad(load) {
    var count = load ? load.factors.length : 0;
    if (state.loadIndex === null || state.loadIndex >= count) { state.loadIndex = load ? load.start : 0; }
    ui.loadSlider.max = String(Math.max(count - 1, 0));
    ui.loadSlider.value = String(state.loadIndex);
    ui.loadSlider.disabled = !hasPeak(load);
    clear(ui.loadRange);
    if (count) {
      ui.loadRange.appendChild(el("span", {text: thousands(load.factors[0]) + "x"}));
      ui.loadRange.appendChild(el("span", {text: thousands(load.factors[count - 1]) + "x peak"}));
    }
  }

  function currentLoad() {
    var load = state.data.load;
    return hasPeak(load) ? load.at[state.loadIndex] : null;
  }

  function showLoad() {
    var load = state.data.load;
    var at = currentLoad();
    clear(ui.loadEntries);
    clear(ui.loadTable);
    ui.critical.textContent = "";
    ui.headroom.textContent = "";
    if (!at) {
      ui.loadFactor.textContent = "";
      ui.loadTitle.textContent = "Load";
      ui.loadNote.textContent = "No peak qps is declared (requirements.scale.peak_qps, or peak_qps on an entry point): " +
        "there is no load to show.";
      paintLoad();
      return;
    }
    var factor = thousands(at.factor) + "x";
    ui.loadFactor.textContent = factor + " peak: " + state.data.entry_points.map(function (e) {
      var peak = load.peak_qps[e];
      return (peak === null ? "no" : thousands(Math.round(peak * at.factor * 1000) / 1000)) + " qps at " + e;
    }).join(", ");
    ui.loadTitle.textContent = "Load at " + factor + " peak";
    state.data.entry_points.forEach(function (entry) {
      var s = at.entry_points[entry] || "served";
      var figures = (at.latency || {})[entry];
      var p99 = figures && figures.p99_ms !== null && figures.p99_ms !== undefined
        ? "p99 " + ms(figures.p99_ms) : "";
      ui.loadEntries.appendChild(el("li", {className: "entry state-" + s, "data-entry": entry}, [
        el("span", {className: "name", text: (state.byId[entry] || {label: entry}).label}), " ",
        el("span", {className: "state", text: s}),
        p99 ? " " : null,
        p99 ? el("span", {className: "p99", text: p99}) : null
      ]));
    });
    var path = load.critical_path;
    if (path) {
      var hurt = path.components.filter(function (c) {
        return at.components[c] && at.components[c].state !== "ok" && !(c in at.entry_points);
      }).map(function (c) { return c + " " + at.components[c].state; });
      var here = (at.latency || {})[path.entry];
      var p99 = here && here.p99_ms !== null && here.p99_ms !== undefined ? here.p99_ms : path.p99_ms;
      ui.critical.appendChild(el("strong", {text: "Critical path: " + ms(p99) + " p99 at " + factor}));
      ui.critical.appendChild(document.createTextNode(
        (path.slo_ms === null ? " (no SLO set)" : " of " + path.slo_ms + " ms SLO") + ", from " + path.entry +
        ": " + path.components.join(" \u2192 ") + (hurt.length ? ". At " + factor + ": " + hurt.join(", ") : "")));
    } else {
      ui.critical.textContent = "Critical path: no latency declared.";
    }
    ui.headroom.textContent = load.headroom === null
      ? "Headroom unknown: no loaded request-path component declares capacity_qps."
      : load.first_saturated === null
      ? "Headroom: none: an entry point is not fully served even without load."
      : "Headroom: " + thousands(load.headroom) + "x peak (first to saturate: " + load.first_saturated + ")." +
        (load.slo_headroom === null || load.slo_headroom === undefined ? ""
          : (state.data.slo || {}).latency_p99_ms === undefined
          ? " Every entry point served up to " + thousands(load.slo_headroom) + "x peak (no SLO set)."
          : " Within the SLO up to " + thousands(load.slo_headroom) + "x peak.");
    ui.loadNote.textContent = (load.unknown_capacity.length
      ? "No capacity_qps (never saturate): " + load.unknown_capacity.join(", ") + ". " : "") +
      (state.knocked.length ? "The diagram shows the knock-out; clear it to see the load there." : "");
    var body = el("tbody");
    state.data.components.forEach(function (c) {
      var info = at.components[c.id];
      if (!info || c.id in at.entry_points) { return; }
      body.appendChild(el("tr", {className: "load-" + info.state, "data-component": c.id}, [
        el("td", {text: c.id}),
        el("td", {className: "num", text: thousands(info.qps)}),
        el("td", {className: "num", text: info.capacity_qps === null ? "?" : thousands(info.capacity_qps)}),
        el("td", {className: "num", text: info.utilization === null ? "" : percent(info.utilization)}),
        el("td", {className: "state", text: info.state})
      ]));
    });
    ui.loadTable.appendChild(el("table", {className: "grid load"}, [
      el("thead", null, [el("tr", null, [el("th", {text: "component"}), el("th", {text: "qps"}),
                                          el("th", {text: "capacity"}), el("th", {text: "util"}),
                                          el("th", {text: "state"})])]),
      body
    ]));
    paintLoad();
  }

  function paintLoad() {
    var at = state.data ? currentLoad() : null;
    var active = Boolean(at) && state.knocked.length === 0;
    var path = active ? state.data.load.critical_path : null;
    var onPath = {}, onFlow = {};
    if (path) {
      path.components.forEach(function (c) { onPath[c] = true; });
      path.flows.forEach(function (f) { onFlow[f] = true; });
    }
    state.data.components.forEach(function (c) {
      var node = nodeOf(c.id);
      if (!node) { return; }
      LOAD_CLASSES.forEach(function (name) { node.classList.remove(name); });
      var badge = node.querySelector("text.load-badge");
      if (badge) { badge.textContent = ""; }
      if (!active) { return; }
      var info = at.components[c.id];
      var text = "";
      if (c.id in at.entry_points) {
        node.classList.add("load-" + at.entry_points[c.id]);
        text = path && path.entry === c.id ? ms(path.p99_ms) : "";
      } else if (info) {
        node.classList.add("load-" + info.state);
        if (info.utilization === null) { node.classList.add("load-unknown"); text = "no capacity"; }
        else {
          if (info.utilization >= 0.8) { node.classList.add("util-high"); }
          text = percent(info.utilization);
        }
      }
      if (onPath[c.id]) { node.classList.add("critical"); }
      if (badge) { badge.textContent = text; }
    });
    state.data.flows.forEach(function (f) {
      var edge = edgeOf(f.index);
      if (edge) { edge.classList.toggle("critical", Boolean(onFlow[f.index])); }
    });
  }

  // -- practice mode (`mlsd serve --practice CASE`): a mock interview ---------------------------

  var practice = {built: false, started: null, timer: null, revealed: false};

  function practiceMinutes(p) { return p.plan.length ? p.plan[p.plan.length - 1].end : 0; }

  function clockText(minutes) {
    var seconds = Math.max(0, Math.round(minutes * 60));
    var m = Math.floor(seconds / 60), sec = seconds % 60;
    return m + ":" + (sec < 10 ? "0" : "") + sec;
  }

  function buildPractice(p) {
    clear(ui.practice);
    ui.practice.hidden = false;
    ui.practiceTotal = el("strong", {id: "mlsd-practice-total"});
    ui.practiceClock = el("span", {id: "mlsd-practice-clock", className: "clock", text: "not started"});
    ui.practiceStart = el("button", {type: "button", id: "mlsd-practice-start", text: "Start the clock"});
    ui.practiceStart.addEventListener("click", startClock);
    ui.practiceReveal = el("button", {type: "button", id: "mlsd-practice-reveal", text: "Reveal the reference"});
    ui.practiceReveal.addEventListener("click", function () { reveal("on request"); });
    ui.practiceNote = el("p", {id: "mlsd-practice-note", className: "muted",
                               text: "The reference design stays hidden until the time is up or you reveal it."});
    ui.practicePlan = el("ol", {id: "mlsd-practice-plan", className: "plan"});
    p.plan.forEach(function (s) {
      ui.practicePlan.appendChild(el("li", {"data-step": s.step}, [
        s.title + " ", el("span", {className: "muted", text: s.start + "-" + s.end + " min"})
      ]));
    });
    var prompt = el("ul", {id: "mlsd-practice-prompt"});
    p.prompt.forEach(function (line) { prompt.appendChild(el("li", {text: line})); });
    var questions = el("div", {id: "mlsd-practice-questions"});
    p.questions.forEach(function (q) {
      questions.appendChild(el("details", null, [el("summary", {text: q.question}), el("p", {text: q.answer})]));
    });
    ui.practiceCard = el("div", {id: "mlsd-practice-card"});
    ui.practice.appendChild(el("div", {className: "practice-head"}, [
      el("h2", {text: "Mock interview: " + p.title + " (" + p.difficulty + ")"}), ui.practiceTotal
    ]));
    ui.practice.appendChild(el("div", {className: "practice-grid"}, [
      el("div", null, [el("h4", {text: "The prompt"}), prompt, el("h4", {text: "Clarifying questions"}), questions]),
      el("div", null, [
        el("h4", {text: "The clock"}), el("div", {className: "clock-row"}, [ui.practiceStart, ui.practiceClock]),
        ui.practicePlan, ui.practiceReveal, ui.practiceNote
      ])
    ]));
    ui.practice.appendChild(el("h4", {text: "Scorecard"}));
    ui.practice.appendChild(ui.practiceCard);
    practice.built = true;
  }

  function renderCard(card) {
    ui.practiceTotal.textContent = card.points + " of " + card.max_points + " points (" + card.percent + "%)";
    ui.practiceCard.setAttribute("data-revealed", card.revealed ? "yes" : "no");
    clear(ui.practiceCard);
    var head = [el("th", {text: ""}), el("th", {text: "your design"})];
    if (card.revealed) { head.push(el("th", {text: "reference"})); }
    card.steps.forEach(function (s) {
      var rows = el("tbody");
      s.checks.forEach(function (c) {
        var cls = !c.applies ? "na" : c.passed ? "pass" : "fail";
        var cells = [
          el("td", {className: "mark", text: !c.applies ? "-" : c.passed ? "\u2713" : "\u2717"}),
          el("td", null, [
            c.title + (c.applies ? "" : " (not graded for this case)"),
            c.applies && c.evidence.length ? el("div", {className: "muted", text: c.evidence.join(", ")}) : null,
            c.follow_up ? el("div", {className: "ask", text: c.follow_up}) : null
          ])
        ];
        if (card.revealed) { cells.push(el("td", {className: "ref", text: c.applies ? (c.reference || []).join(", ") : ""})); }
        rows.appendChild(el("tr", {className: cls, "data-check": c.id}, cells));
      });
      ui.practiceCard.appendChild(el("h4", {"data-step": s.number,
        text: s.number + ". " + s.title + " (" + s.minutes + " min): " + s.points + "/" + s.max_points}));
      ui.practiceCard.appendChild(el("table", {className: "grid practice-checks"}, [el("thead", null, [el("tr", null, head)]), rows]));
    });
    var modes = el("tbody");
    card.failure_modes.forEach(function (m) {
      var cls = m.status === "not asked" ? "na" : m.points ? "pass" : "fail";
      var cells = [
        el("td", {className: "mark", text: m.status === "not asked" ? "-" : m.points ? "\u2713" : "\u2717"}),
        el("td", null, [m.question + " (" + m.status + ")"].concat(
          m.follow_ups.map(function (q) { return el("div", {className: "ask", text: q}); })))
      ];
      if (card.revealed) { cells.push(el("td", {className: "ref", text: (m.reference || []).join(" ")})); }
      modes.appendChild(el("tr", {className: cls, "data-mode": m.key}, cells));
    });
    ui.practiceCard.appendChild(el("h4", {text: "Failure modes"}));
    ui.practiceCard.appendChild(el("table", {className: "grid practice-checks"}, [el("thead", null, [el("tr", null, head.slice())]), modes]));
  }

  function startClock() {
    if (practice.started !== null) { return; }
    practice.started = Date.now();
    ui.practiceStart.disabled = true;
    tick();
    practice.timer = setInterval(tick, 1000);
  }

  function tick() {
    var p = state.data && state.data.practice;
    if (!p || practice.started === null) { return; }
    var elapsed = (Date.now() - practice.started) / 60000;
    var total = practiceMinutes(p);
    var current = null;
    Array.prototype.forEach.call(ui.practicePlan.children, function (li, i) {
      var s = p.plan[i];
      li.classList.toggle("done", elapsed >= s.end);
      li.classList.toggle("current", elapsed >= s.start && elapsed < s.end);
      if (elapsed >= s.start && elapsed < s.end) { current = s; }
    });
    if (elapsed >= total) {
      clearInterval(practice.timer);
      ui.practiceClock.textContent = "Time is up";
      if (!practice.revealed) { reveal("time is up"); }
      return;
    }
    ui.practiceClock.textContent = "Step " + current.step + ", " + current.title + ": " +
      clockText(current.end - elapsed) + " left (" + clockText(total - elapsed) + " in all)";
  }

  function fetchReveal() {
    return fetch("/api/practice/reveal", {headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (card) { if (card) { renderCard(card); } })
      .catch(function () { setStatus("disconnected", "bad"); });
  }

  function reveal(why) {
    practice.revealed = true;
    ui.practiceReveal.disabled = true;
    ui.practiceNote.textContent = "Reference revealed (" + why + "): its part is beside each check.";
    fetchReveal();
  }

  function renderPractice(p) {
    if (!p) { ui.practice.hidden = true; return; }
    if (!practice.built) { buildPractice(p); }
    if (practice.revealed) { fetchReveal(); } else { renderCard(p.scorecard); }
  }

  // -- showing a state ------------------------------------------------------------------------

  function setStatus(text, kind) {
    ui.status.textContent = text;
    ui.status.className = "status" + (kind ? " " + kind : "");
  }

  function renderErrors(errors) {
    clear(ui.errors);
    if (!errors || !errors.length) { ui.errors.hidden = true; return; }
    ui.errors.hidden = false;
    ui.errors.appendChild(el("h2", {text: state.data ? "The file has errors; showing the last good diagram" : "The file has errors"}));
    var list = el("ul");
    errors.forEach(function (e) {
      list.appendChild(el("li", {className: "error-line", text: e.line + ":" + e.column + ": " + e.message}));
    });
    ui.errors.appendChild(list);
  }

  function renderData(data) {
    state.data = data;
    state.byId = {};
    data.components.forEach(function (c) { state.byId[c.id] = c; });
    state.knocked = state.knocked.filter(function (id) { return state.byId[id]; });
    document.title = data.name + (REPORT ? " - mlsd report" : " - mlsd serve");
    ui.title.textContent = data.name;
    ui.file.textContent = data.file;
    ui.summary.textContent = data.summary || "";
    renderDiagram(data.svg);
    renderRequest(data.request_svg);
    if (data.diagram_note) {  // a stage overview: components are picked by id, not clicked
      var find = el("input", {type: "search", id: "mlsd-find", placeholder: "component id",
        "aria-label": "component id"});
      find.addEventListener("change", function () {
        if (state.byId[find.value]) { select(find.value); }
      });
      ui.diagram.insertBefore(el("div", {className: "muted"}, [
        el("p", {id: "mlsd-diagram-note", text: data.diagram_note}),
        el("label", {text: "Component: "}, [find])
      ]), ui.diagram.firstChild);
    }
    renderFindings(data.findings);
    renderLatency(data.latency);
    renderResilience(data.resilience);
    renderScore(data.score);
    renderPractice(data.practice);
    ui.setsNote.textContent = "These states assume no load; the Load panel shows them at the load chosen. " + (REPORT && data.precomputed
      ? "Knock-outs in this report are precomputed: " + data.precomputed.note + "."
      : "Click a component, then \u201cknock out\u201d; several can be knocked out together.");
    select(state.selected && state.byId[state.selected] ? state.selected : null);
    setupLoad(data.load);
    refreshKnockOut();
  }

  function showState(payload) {
    if (payload.data && payload.data_version !== state.dataVersion) {
      state.dataVersion = payload.data_version;
      renderData(payload.data);
    }
    renderErrors(payload.errors);
    state.version = payload.version;
    document.body.setAttribute("data-version", String(payload.version));
  }

  function load() {
    return fetch("/api/state", {headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(showState)
      .catch(function () { setStatus("disconnected", "bad"); });
  }

  function start() {
    buildShell();
    if (REPORT) {
      renderData(JSON.parse(dataBlock.textContent));
      return;
    }
    load();
    var events = new EventSource("/api/events");
    events.addEventListener("open", function () { setStatus("live", "good"); });
    events.addEventListener("update", function (event) {
      if (String(event.data) !== String(state.version)) { load(); }
    });
    events.addEventListener("error", function () { setStatus("reconnecting", "bad"); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
}());
