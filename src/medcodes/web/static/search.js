// Search as you type: suggestions under the box (an ARIA 1.2 combobox with a listbox popup).
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
      list.textContent = "";
      options = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
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

    function render(data) {
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
          if (data && data.ok) render(data); else close();
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
        if (open) {
          event.preventDefault();
          close();
        }
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(close, 150);
    });
    // Keep the focus in the box while a suggestion is clicked.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var li = event.target.closest("[role=option]");
      if (li) go(li);
    });
  }

  document.querySelectorAll("form[data-suggest]").forEach(setup);
})();
