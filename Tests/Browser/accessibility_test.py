"""What a screen reader needs, checked on every page a customer or a staff member meets: a language and a title,
one main heading, a name for every control and chart, field errors tied to their fields and announced."""
import sys
import unittest

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from keyin_browser import BASE, BrowserCase, api, new_link, pay_by_api, sign_in

# Problems a screen reader would meet on the current page, as short descriptions.
AUDIT = """
const problems = [];
if (!document.documentElement.lang) problems.push("no lang on <html>");
if (!document.title.trim()) problems.push("no <title>");
if (document.querySelectorAll("h1").length !== 1) problems.push(document.querySelectorAll("h1").length + " <h1>");
const describe = (e) => e.id || e.name || e.outerHTML.slice(0, 80);
const nameOf = (e) => {
  const byLabel = e.labels ? Array.from(e.labels).map((l) => l.textContent).join(" ") : "";
  const byRef = (e.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean)
    .map((id) => (document.getElementById(id) || {}).textContent || "").join(" ");
  const tag = e.tagName.toUpperCase();  // an SVG chart's links are lower-case <a>
  const own = tag === "BUTTON" || tag === "A" ? e.textContent : "";
  return (byLabel + byRef + (e.getAttribute("aria-label") || "") + own + (e.title || "")).trim();
};
for (const e of document.querySelectorAll("input:not([type=hidden]), select, textarea, button, a[href]")) {
  if (!nameOf(e)) problems.push("unnamed control " + describe(e));
}
for (const e of document.querySelectorAll("svg")) {
  if (e.getAttribute("role") !== "img" || !nameOf(e)) problems.push("unnamed chart " + describe(e));
}
for (const e of document.querySelectorAll("img")) {
  if (!e.hasAttribute("alt")) problems.push("image without alt " + describe(e));
}
for (const e of document.querySelectorAll("[aria-invalid=true]")) {
  const described = (e.getAttribute("aria-describedby") || "").split(" ").filter(Boolean)
    .map((id) => document.getElementById(id)).filter(Boolean);
  if (!described.some((d) => d.textContent.trim() && d.closest("[aria-live], [role=alert]")))
    problems.push("invalid field without an announced message " + describe(e));
}
const ids = Array.from(document.querySelectorAll("[id]")).map((e) => e.id);
for (const id of new Set(ids)) if (ids.filter((x) => x === id).length > 1) problems.push("duplicate id " + id);
return problems;
"""


class AccessibilityTests(BrowserCase):
    def assertReadable(self, what):
        problems = self.driver.execute_script(AUDIT)
        self.assertEqual(problems, [], what)

    def test_customer_pages(self):
        link = new_link(64000, "접근성 점검 주문")
        self.open_link(link)
        self.assertReadable("payment page")
        # A wrong number: the field is marked invalid and its message is announced.
        self.type_slowly("cardNumber", "4242424242424241").send_keys(Keys.TAB)
        self.wait.until(lambda driver: driver.find_element(By.ID, "cardNumber-error").text != "")
        self.assertEqual(self.field("cardNumber").get_attribute("aria-invalid"), "true")
        self.assertReadable("payment page with a field error")
        self.driver.find_element(By.CSS_SELECTOR, "#chat summary").click()
        self.assertReadable("payment page with the chat open")
        # A card no other scenario declines: a card declined lately is challenged (3-D Secure) instead.
        self.fill("4000000000000622")
        self.field("pay-button").click()
        self.wait.until(EC.visibility_of_element_located((By.ID, "result")))
        self.wait.until(lambda driver: driver.find_element(By.ID, "result").text != "")
        self.assertReadable("declined result")

        paid = pay_by_api("browser-a11y-1", 45000, name="접근성 영수증")
        for path in ["/receipts/" + paid["paymentKey"], "/receipts/" + paid["paymentKey"] + "?lang=en", "/help",
                     "/help/invalid-card-number", "/help?q=%ED%95%A0%EB%B6%80", "/pay/no-such-link",
                     "/console/login", "/console/forgot"]:
            self.driver.get(BASE + path)
            self.assertReadable(path)

    def press(self, *keys):
        ActionChains(self.driver).send_keys(*keys).perform()

    def tab_to(self, element_id, most=12):
        """Presses Tab until the element has focus, as a keyboard user would; fails if it never does."""
        for _ in range(most):
            if self.driver.execute_script("return document.activeElement.id") == element_id:
                return
            self.press(Keys.TAB)
        self.fail(element_id + " never got the focus by Tab")

    def test_paying_with_the_keyboard_only(self):
        link = new_link(23000, "키보드 결제")
        self.open_link(link)
        # From the top of the page, in the order the fields are read.
        for element_id, keys in [("cardNumber", "4242424242424242"), ("cardExpiry", "1230"), ("cardCvc", "123"),
                                 ("customerIdentityNumber", "900101"), ("cardPassword", "12")]:
            self.tab_to(element_id)
            self.press(keys)
        self.assertEqual(self.field("cardNumber").get_attribute("value"), "4242 4242 4242 4242")
        self.press(Keys.ENTER)  # submits the form from the last field
        self.assertTrue(self.wait.until(EC.visibility_of_element_located((By.ID, "approve-no"))).text)
        self.assertEqual(api("GET", "/v1/payment-links/" + link["paymentLinkId"])["status"], "PAID")

    def test_console_pages(self):
        pay_by_api("browser-a11y-2", 12000, number="4000000000000002", name="실패한 주문")
        paid = pay_by_api("browser-a11y-3", 52000, name="콘솔 점검")
        sign_in(self.driver, self.wait)
        for path in ["/console", "/console/payments", "/console/payments/" + paid["paymentKey"], "/console/terminal",
                     "/console/links", "/console/chat", "/console/inquiries", "/console/feedback",
                     "/console/webhooks", "/console/keys", "/console/staff", "/console/settings", "/console/password"]:
            self.driver.get(BASE + path)
            self.wait.until(EC.presence_of_element_located((By.TAG_NAME, "h1")))
            self.assertReadable(path)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
