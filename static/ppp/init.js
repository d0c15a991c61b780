import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// Radios that reveal follow-up questions (templates/gds/layout/_conditional_radios.html):
// only the chosen option's questions show; with no script, every question shows.
for (const group of document.querySelectorAll("[data-ppp-reveal]")) {
  const inputs = [...group.querySelectorAll('input[type="radio"][aria-controls]')];
  const sync = () => {
    for (const input of inputs) {
      const target = document.getElementById(input.getAttribute("aria-controls"));
      if (target) {
        target.classList.toggle("govuk-radios__conditional--hidden", !input.checked);
      }
    }
  };
  for (const input of group.querySelectorAll('input[type="radio"]')) {
    input.addEventListener("change", sync);
  }
  sync();
}

// Tables that are wider than the screen say so above them (the shadows are the other cue):
// under the table's own caption when it shows one, else just before the scrolling region.
const scrollHint = (region) => {
  const caption = region.querySelector("caption:not(.govuk-visually-hidden)");
  let hint = caption ? caption.querySelector(".ppp-table-scroll__hint") : region.previousElementSibling;
  const has = hint && hint.classList.contains("ppp-table-scroll__hint");
  const overflows = region.scrollWidth > region.clientWidth + 1;
  if (overflows && !has) {
    hint = document.createElement(caption ? "span" : "p");
    hint.className = "govuk-body-s ppp-table-scroll__hint";
    hint.textContent = "Scroll sideways to see the whole table.";
    if (caption) caption.append(hint);
    else region.before(hint);
  } else if (!overflows && has) {
    hint.remove();
  }
};
const regions = document.querySelectorAll(".ppp-table-scroll");
for (const region of regions) scrollHint(region);
window.addEventListener("resize", () => { for (const region of regions) scrollHint(region); });

// Filter panels fold away on phones so the results come first (they stay open without a script).
if (window.matchMedia("(max-width: 40.0525em)").matches) {
  for (const panel of document.querySelectorAll("details[data-ppp-closed-on-phones]")) panel.open = false;
}

// A survey's page of questions, once sent, is marked in the browser's history as the page
// with the person's own answers (?chosen=1), so Back to it, or reloading it, shows what they
// chose rather than the page kept for everyone (docs/adr/0092).
for (const form of document.querySelectorAll("form[data-ppp-chosen-when-sent]")) {
  form.addEventListener("submit", () => {
    const url = new URL(window.location.href);
    url.searchParams.set("chosen", "1");
    window.history.replaceState(window.history.state, "", url);
  });
}
