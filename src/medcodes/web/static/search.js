// Search as you type: suggestions under the box (an ARIA 1.2 combobox with a listbox popup); and a code
// page's similar codes, loaded from their JSON twin.
// The page works without this file: the form submits to /search. Requests are debounced and each new one
// aborts the one before, so a slow answer never overwrites a newer one. Everything is built with
// textContent: no server text is ever parsed as HTML.
"use strict";
(function () {
  var DEBOUNCE_MS = 150;

  function setup(form) {
    var input = form.querySelector("[role=combobox]");
    if (!input) return;
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var status = form.querySelector("[data-suggest-status]");
    var endpoint = form.getAttribute("data-suggest");
    var names = JSON.parse(form.getAttribute("data-systems") || "{}");
    var timer = 0;
    var controller = null;
    var options = [];
    var active = -1;

    function close() {
      list.hidden = true;
      list.removeAttribute("data-for");
      list.textContent = "";
      options = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    // The person is done with the suggestions (Escape, leaving the box): a request still on its way, or one
    // about to be sent, must not open them again when it answers.
    function dismiss() {
      clearTimeout(timer);
      if (controller) controller.abort();
      controller = null;
      close();
    }

    function setActive(index) {
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = index;
      if (active < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      var option = options[active];
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    function marked(text, spans) {
      var out = document.createDocumentFragment();
      var at = 0;
      (spans || []).forEach(function (span) {
        var start = Math.max(span[0], at), end = Math.min(span[1], text.length);
        if (end <= start) return;
        if (start > at) out.appendChild(document.createTextNode(text.slice(at, start)));
        var mark = document.createElement("mark");
        mark.textContent = text.slice(start, end);
        out.appendChild(mark);
        at = end;
      });
      if (at < text.length) out.appendChild(document.createTextNode(text.slice(at)));
      return out;
    }

    function option(href, kind) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.id = list.id + "-" + options.length;
      li.className = kind;
      li.setAttribute("data-href", href);
      options.push(li);
      list.appendChild(li);
      return li;
    }

    // ``q``: the text the answer is for, kept on the list (``data-for``) so that a reader can tell an answer to
    // what was typed last from one to the letters before it.
    function render(data, q) {
      list.textContent = "";
      options = [];
      active = -1;
      (data.completions || []).slice(0, 3).forEach(function (text) {
        var li = option("/search?q=" + encodeURIComponent(text), "option-completion");
        var words = document.createElement("strong");
        words.textContent = text;
        li.appendChild(document.createTextNode("Search "));
        li.appendChild(words);
      });
      (data.hits || []).forEach(function (hit) {
        var li = option(hit.url, "option-hit");
        var code = document.createElement("span");
        code.className = "code";
        code.textContent = hit.code;
        var system = document.createElement("span");
        system.className = "sys";
        system.textContent = names[hit.system] || hit.system;
        var title = document.createElement("span");
        title.className = "title";
        title.appendChild(marked(hit.display, hit.highlights));
        li.appendChild(code);
        li.appendChild(system);
        li.appendChild(title);
      });
      if (!options.length) {
        close();
        if (status) status.textContent = "No suggestions";
        return;
      }
      list.hidden = false;
      list.setAttribute("data-for", q);
      input.setAttribute("aria-expanded", "true");
      input.removeAttribute("aria-activedescendant");
      if (status) {
        status.textContent = options.length + " suggestions; use the up and down arrows to choose one.";
      }
    }

    function suggest() {
      var q = input.value;
      if (controller) controller.abort();
      controller = null;
      if (!q.trim()) {
        close();
        return;
      }
      controller = new AbortController();
      var params = new URLSearchParams();
      params.append("q", q);
      form.querySelectorAll("input[name=system]:checked").forEach(function (box) {
        params.append("system", box.value);
      });
      var mine = controller;
      fetch(endpoint + "?" + params.toString(), { signal: mine.signal, headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (mine !== controller) return;  // a newer request is on its way
          if (data && data.ok) render(data, q); else close();
        })
        .catch(function (error) {
          if (error.name !== "AbortError") close();
        });
    }

    function go(li) {
      window.location.assign(li.getAttribute("data-href"));
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && options.length > 0;
      if (event.key === "ArrowDown") {
        if (!open) { suggest(); return; }
        event.preventDefault();
        setActive(active + 1 >= options.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        if (!open) return;
        event.preventDefault();
        setActive(active <= 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          go(options[active]);
        }
      } else if (event.key === "Escape") {
        if (open) event.preventDefault();
        dismiss();
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(dismiss, 150);
    });
    // Keep the focus in the box while a suggestion is clicked.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var li = event.target.closest("[role=option]");
      if (li) go(li);
    });
  }

  // A code page's similar codes, read from their JSON twin into the markup the server gives their own page
  // (templates/_similar.html); without this, the section links that page.
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function similarItem(s, labels, names) {
    var li = document.createElement("li");
    var head = element("div", "similar-head");
    var code = element("a", "code", s.code);
    code.href = s.url;
    head.appendChild(code);
    head.appendChild(document.createTextNode(" "));
    head.appendChild(element("span", "sys sys-" + s.system, names[s.system] || s.system));
    if (s.badge) {
      head.appendChild(document.createTextNode(" "));
      head.appendChild(element("span", "badge " + s.badge, s.badge));
    }
    li.appendChild(head);
    li.appendChild(element("span", "similar-title", s.title));
    var reasons = element("ul", "reasons");
    (s.why || []).forEach(function (reason) {
      var item = document.createElement("li");
      item.appendChild(element("span", "why-kind", labels[reason.kind] || reason.kind));
      item.appendChild(document.createTextNode(" " + reason.text));
      reasons.appendChild(item);
    });
    li.appendChild(reasons);
    if (s.more) {
      li.appendChild(element("p", "more", "and " + s.more + " more: " + (s.more_label || "similar codes")));
    }
    return li;
  }

  function loadSimilar(section) {
    var placeholder = section.querySelector(".similar-load");
    var labels = JSON.parse(section.getAttribute("data-labels") || "{}");
    var names = JSON.parse(section.getAttribute("data-systems") || "{}");
    section.setAttribute("aria-busy", "true");
    fetch(section.getAttribute("data-similar"), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        section.setAttribute("aria-busy", "false");
        if (!data || !data.ok || !placeholder) return;  // the link to their page stays
        var found;
        if (data.similar.length) {
          found = element("ol", "similar");
          data.similar.forEach(function (s) { found.appendChild(similarItem(s, labels, names)); });
        } else {
          found = element("p", "muted", "No similar codes found for " + data.code + ".");
        }
        section.replaceChild(found, placeholder);
      })
      .catch(function () { section.setAttribute("aria-busy", "false"); });
  }

  document.querySelectorAll("form[data-suggest]").forEach(setup);
  document.querySelectorAll("section[data-similar]").forEach(loadSimilar);
})();
