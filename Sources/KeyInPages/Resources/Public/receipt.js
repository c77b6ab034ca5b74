"use strict";
document.getElementById("print-button").addEventListener("click", () => window.print());
// The receipt's inquiry form: sent as JSON; the answer comes by SMS or e-mail.
const inquiryForm = document.getElementById("inquiry-form");
inquiryForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = document.getElementById("inquiry-status");
  const response = await fetch("/inquiries", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept-Language": document.documentElement.lang },
    body: JSON.stringify({
      paymentKey: inquiryForm.dataset.paymentKey,
      contact: document.getElementById("inquiry-contact").value,
      message: document.getElementById("inquiry-message").value,
    }),
  });
  const answer = await response.json();
  status.textContent = response.ok ? inquiryForm.dataset.sent : (answer.customerMessage || {})[document.documentElement.lang] || answer.code;
  if (response.ok) inquiryForm.querySelector("button").disabled = true;
});
