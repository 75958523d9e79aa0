import { initAll } from "./govuk-frontend.min.js";
initAll();

// A page with a live region marked data-app-poll="running" (a contribution run's progress) is
// fetched again every 2 seconds and the region's contents swapped in, until the region says it
// is no longer running: screen readers hear the change, and the page never reloads itself.
const region = document.querySelector("[data-app-poll]");
const POLL_MS = 2000;

async function poll() {
  try {
    const response = await fetch(window.location.href, { cache: "no-store", credentials: "same-origin" });
    if (response.ok) {
      const next = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = next.querySelector(`#${region.id}`);
      if (fresh) {
        region.replaceChildren(...fresh.childNodes);
        region.dataset.appPoll = fresh.dataset.appPoll;
      }
    }
  } catch {
    // the next poll tries again; the "Refresh progress" link still works
  }
  if (region.dataset.appPoll === "running") setTimeout(poll, POLL_MS);
}

if (region && region.dataset.appPoll === "running") setTimeout(poll, POLL_MS);
