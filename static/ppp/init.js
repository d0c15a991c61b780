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
