// A little JavaScript on top of a page that works without it: feedback buttons and copying.
"use strict";

(function () {
  const results = document.querySelector(".results");

  async function sendFeedback(button) {
    const card = button.closest(".match");
    const status = card.querySelector(".fb-status");
    const body = {
      brief: results.dataset.brief,
      entity_id: card.dataset.entity,
      judgement: button.dataset.judgement,
    };
    status.textContent = "Saving...";
    try {
      const response = await fetch("/feedback", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify(body),
      });
      if (!response.ok) {
        const error = await response.json().catch(() => ({}));
        throw new Error(error.detail || response.statusText);
      }
      card.querySelectorAll("button[data-judgement]").forEach((b) => {
        b.setAttribute("aria-pressed", String(b === button));
      });
      status.textContent = "Thank you: saved.";
    } catch (error) {
      status.textContent = "Not saved: " + error.message;
    }
  }

  if (results) {
    document.querySelectorAll(".feedback").forEach((box) => { box.hidden = false; });
    results.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-judgement]");
      if (button) sendFeedback(button);
    });
  }

  document.querySelectorAll("button.copy").forEach((button) => {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(source.value);
        button.textContent = "Copied";
      } catch (_) {
        source.select();
      }
    });
  });
})();
