// Autocomplete under the search box, as an ARIA 1.2 combobox. Without JavaScript the box is a
// plain search field; everything here is added at run time, with no inline script or handler.
(() => {
  "use strict";
  const DELAY_MS = 80;  // wait for a pause in typing, so a fast typist sends few requests
  const SIZE = 8;

  function attach(form) {
    const box = form.querySelector("input[name=q]");
    if (!box) return;
    const list = document.createElement("ul");
    list.id = "q-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "추천 검색어");
    list.hidden = true;
    form.appendChild(list);
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", list.id);
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("autocomplete", "off");

    let active = -1, timer = 0, asked = 0, typed = box.value;

    const options = () => Array.from(list.children);

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function place() {
      list.style.top = `${box.offsetTop + box.offsetHeight}px`;
      list.style.left = `${box.offsetLeft}px`;
      list.style.width = `${box.offsetWidth}px`;
    }

    function highlight(i) {
      const all = options();
      active = i;
      all.forEach((li, n) => li.setAttribute("aria-selected", String(n === i)));
      if (i >= 0) {
        box.setAttribute("aria-activedescendant", all[i].id);
        box.value = all[i].dataset.text;
        all[i].scrollIntoView({block: "nearest"});
      } else {
        box.removeAttribute("aria-activedescendant");
        box.value = typed;
      }
    }

    function pick(text) {
      box.value = text;
      close();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }

    function show(suggestions) {
      list.replaceChildren(...suggestions.map((s, n) => {
        const li = document.createElement("li");
        li.id = `q-suggestion-${n}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.text = s.text;
        li.className = s.kind;
        const text = document.createElement("span");
        text.textContent = s.text;  // text, never HTML
        li.append(text);
        if (s.kind === "title") {
          const kind = document.createElement("small");
          kind.textContent = "제목";
          li.append(kind);
        }
        return li;
      }));
      active = -1;
      if (!suggestions.length) return close();
      place();
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
    }

    async function ask(prefix) {
      const mine = ++asked;
      try {
        const r = await fetch(`/api/suggest?${new URLSearchParams({q: prefix, size: SIZE})}`);
        if (!r.ok) return;
        const body = await r.json();
        if (mine === asked && box.value === prefix) show(body.suggestions);  // a late answer to old text is dropped
      } catch (e) {
        close();  // the box still searches; only the list is missing
      }
    }

    box.addEventListener("input", () => {
      typed = box.value;
      clearTimeout(timer);
      if (!typed.trim()) {
        asked++;
        return close();
      }
      timer = setTimeout(() => ask(typed), DELAY_MS);
    });

    box.addEventListener("keydown", (e) => {
      if (e.isComposing) return;  // the IME is still composing a syllable
      const n = options().length;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (list.hidden) {
          if (n) { place(); list.hidden = false; box.setAttribute("aria-expanded", "true"); }
          e.preventDefault();
          return;
        }
        e.preventDefault();
        const step = e.key === "ArrowDown" ? 1 : -1;
        let next = active + step;
        if (next >= n) next = -1;
        if (next < -1) next = n - 1;
        highlight(next);
      } else if (e.key === "Enter" && !list.hidden && active >= 0) {
        e.preventDefault();
        pick(options()[active].dataset.text);
      } else if (e.key === "Escape" && !list.hidden) {
        e.preventDefault();
        box.value = typed;
        close();
      }
    });

    list.addEventListener("mousedown", (e) => e.preventDefault());  // keep the focus in the box
    list.addEventListener("click", (e) => {
      const li = e.target.closest("li[role=option]");
      if (li) pick(li.dataset.text);
    });
    list.addEventListener("mousemove", (e) => {
      const li = e.target.closest("li[role=option]");
      if (li) options().forEach((o) => o.setAttribute("aria-selected", String(o === li)));
    });
    box.addEventListener("blur", () => close());
    window.addEventListener("resize", () => { if (!list.hidden) place(); });
  }

  document.querySelectorAll("form.search").forEach(attach);
})();
