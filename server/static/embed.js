/* Leadgen embed: renders each published form into <div data-leadgen-form="slug"> and submits it to this server.
   No dependencies. Every text is set with textContent (never as HTML); colours are used only when #RRGGBB. */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(/\/f\/embed\.js(?:[?#].*)?$/, "") : "";
  var COLOUR = /^#[0-9a-fA-F]{6}$/;
  var forms = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] !== null && attrs[name] !== undefined && attrs[name] !== false) {
        node.setAttribute(name, attrs[name] === true ? "" : String(attrs[name]));
      }
    });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function stylesheet() {
    if (document.querySelector("link[data-leadgen-css]")) return;
    document.head.appendChild(el("link", { rel: "stylesheet", href: base + "/f/form.css", "data-leadgen-css": true }));
  }

  function problem(holder, message) {
    holder.textContent = "";
    holder.appendChild(el("p", { "class": "lg-problem", role: "alert" }, message));
  }

  function param(name) {
    try { return new URLSearchParams(window.location.search).get(name) || ""; } catch (e) { return ""; }
  }

  function required(spec) {
    return spec.required ? el("span", { "class": "lg-required", "aria-hidden": "true" }, " *") : null;
  }

  function field(spec, id, def) {
    if (spec.name === def.honeypotField) {
      var trap = el("div", { "class": "lg-hp", "aria-hidden": "true" });
      trap.appendChild(el("label", { "for": id }, "Leave this empty"));
      trap.appendChild(el("input", { type: "text", id: id, name: spec.name, tabindex: "-1", autocomplete: "off" }));
      return trap;
    }
    if (spec.type === "hidden") return el("input", { type: "hidden", name: spec.name, value: param(spec.name) });
    var wrap, error = el("p", { "class": "lg-error", id: id + "-error", hidden: true });
    if (spec.type === "multiselect" || (spec.type === "checkbox" && spec.options.length)) {
      wrap = el("fieldset", { "class": "lg-field lg-group", id: id });
      var legend = el("legend", {}, spec.label);
      if (spec.required) legend.appendChild(required(spec));
      wrap.appendChild(legend);
      wrap.appendChild(error);
      spec.options.forEach(function (option, n) {
        var box = el("div", { "class": "lg-choice" });
        box.appendChild(el("input", { type: "checkbox", id: id + "-" + n, name: spec.name, value: option }));
        box.appendChild(el("label", { "for": id + "-" + n }, option));
        wrap.appendChild(box);
      });
      return wrap;
    }
    if (spec.type === "checkbox") {
      wrap = el("div", { "class": "lg-field lg-check" });
      wrap.appendChild(el("input", { type: "checkbox", id: id, name: spec.name, value: "true", required: spec.required }));
      var text = el("label", { "for": id }, spec.label);
      if (spec.required) text.appendChild(required(spec));
      wrap.appendChild(text);
      wrap.appendChild(error);
      return wrap;
    }
    wrap = el("div", { "class": "lg-field" });
    var label = el("label", { "for": id }, spec.label);
    if (spec.required) label.appendChild(required(spec));
    wrap.appendChild(label);
    wrap.appendChild(error);
    var attrs = { id: id, name: spec.name, required: spec.required, placeholder: spec.placeholder };
    var control;
    if (spec.type === "textarea") {
      attrs.rows = "5";
      control = el("textarea", attrs);
    } else if (spec.type === "select") {
      control = el("select", attrs);
      control.appendChild(el("option", { value: "" }, "Choose\u2026"));
      spec.options.forEach(function (option) { control.appendChild(el("option", { value: option }, option)); });
    } else {
      attrs.type = { email: "email", phone: "tel", url: "url", date: "date" }[spec.type] || "text";
      attrs.autocomplete = spec.autocomplete;
      attrs.inputmode = spec.inputmode;
      control = el("input", attrs);
    }
    wrap.appendChild(control);
    return wrap;
  }

  function render(holder, def) {
    var prefix = "lg" + (++forms) + "-";
    var root = el("div", { "class": "lg-embed" });
    var theme = def.theme || {};
    [["--lg-primary", theme.primaryColor], ["--lg-on-primary", theme.onPrimaryColor],
     ["--lg-bg", theme.backgroundColor], ["--lg-text", theme.textColor]].forEach(function (pair) {
      if (COLOUR.test(pair[1] || "")) root.style.setProperty(pair[0], pair[1]);
    });
    if (def.title) root.appendChild(el("h2", { "class": "lg-title" }, def.title));
    if (def.description) root.appendChild(el("p", { "class": "lg-description" }, def.description));
    var summary = el("div", { "class": "lg-alert", role: "alert", tabindex: "-1", hidden: true });
    root.appendChild(summary);
    var form = el("form", { "class": "lg-form", method: "post", action: def.action, novalidate: true });
    var meta = { _lg_rendered: def.meta.rendered, _lg_key: def.meta.key, _lg_page: window.location.href,
                 _lg_ref: document.referrer };
    Object.keys(meta).forEach(function (name) {
      form.appendChild(el("input", { type: "hidden", name: name, value: meta[name] || "" }));
    });
    def.fields.forEach(function (spec) { form.appendChild(field(spec, prefix + spec.name, def)); });
    if (def.consentText) form.appendChild(el("p", { "class": "lg-consent" }, def.consentText));
    var button = el("button", { type: "submit", "class": "lg-button" }, def.submitLabel);
    form.appendChild(button);
    root.appendChild(form);
    holder.textContent = "";
    holder.appendChild(root);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      fetch(def.action, {
        method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "omit",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        return response.json().then(function (answer) { answer.status = response.status; return answer; });
      }).then(function (answer) {
        if (answer.ok) return done(root, answer);
        show(form, summary, prefix, def, answer.errors || [], answer.message);
      }).catch(function () {
        show(form, summary, prefix, def, [], "The form could not be sent. Please try again.");
      }).then(function () { button.disabled = false; });
    });
  }

  function done(root, answer) {
    if (answer.redirectUrl && /^https?:\/\//i.test(answer.redirectUrl)) {
      window.location.assign(answer.redirectUrl);
      return;
    }
    var message = el("p", { "class": "lg-success", role: "status", tabindex: "-1" }, answer.successMessage);
    var alert = root.querySelector(".lg-alert");
    if (alert) alert.remove();  // the errors of an earlier try are answered now
    root.querySelector("form").replaceWith(message);
    message.focus();
  }

  function show(form, summary, prefix, def, errors, message) {
    var labels = {};
    def.fields.forEach(function (spec) { labels[spec.name] = spec.label; });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (node) {
      node.removeAttribute("aria-invalid");
      node.removeAttribute("aria-describedby");
    });
    Array.prototype.forEach.call(form.querySelectorAll(".lg-error"), function (node) { node.hidden = true; });
    summary.textContent = "";
    summary.appendChild(el("p", {}, errors.length ? "The form was not sent. Please check:" : message));
    var list = el("ul"), first = null;
    errors.forEach(function (problem) {
      var name = String(problem.field || "").replace(/^values\./, "");
      var error = labels.hasOwnProperty(name) && document.getElementById(prefix + name + "-error");
      if (!error) { list.appendChild(el("li", {}, problem.message)); return; }
      error.textContent = problem.message;
      error.hidden = false;
      Array.prototype.forEach.call(form.querySelectorAll("[name=\"" + name + "\"]"), function (node) {
        node.setAttribute("aria-invalid", "true");
        node.setAttribute("aria-describedby", error.id);
        first = first || node;
      });
      list.appendChild(el("li", {}, labels[name] + ": " + problem.message));
    });
    if (list.childNodes.length) summary.appendChild(list);
    summary.hidden = false;
    (first || summary).focus();
  }

  function start() {
    if (!base || !window.fetch) return;
    var holders = document.querySelectorAll("[data-leadgen-form]");
    if (!holders.length) return;
    stylesheet();
    Array.prototype.forEach.call(holders, function (holder) {
      var slug = holder.getAttribute("data-leadgen-form");
      if (!slug || holder.getAttribute("data-leadgen-ready")) return;
      holder.setAttribute("data-leadgen-ready", "true");
      fetch(base + "/f/" + encodeURIComponent(slug) + ".json", { credentials: "omit" })
        .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
        .then(function (def) { render(holder, def); })
        .catch(function () { problem(holder, "This form is not available right now."); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
