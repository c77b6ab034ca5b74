"""Browser tests of KeyIn's hosted payment page and console, in headless Chromium through Selenium.

Expected customer messages are read from the API, not written here.
"""
import json
import sys
import unittest
import urllib.request

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from keyin_browser import BASE, BrowserCase, api, new_link, sign_in


def sent_code(acs_transaction_id):
    """The one-time code the simulated card company "sent" to the cardholder's phone for this challenge."""
    with urllib.request.urlopen(BASE + "/3ds/sent-codes") as response:
        codes = json.loads(response.read())
    return next(entry["code"] for entry in codes if entry["acsTransactionID"] == acs_transaction_id)


class ChallengeTests(BrowserCase):
    """3-D Secure on the hosted page: the card company's challenge in place of the result, and back."""

    def start_challenge(self, order_name):
        link = new_link(64000, order_name)
        self.open_link(link)
        self.fill("4000000000003006")
        self.field("pay-button").click()
        code = self.wait.until(EC.visibility_of_element_located((By.ID, "code")))
        # The field is named for a screen reader, and has the keyboard's focus.
        self.assertEqual(self.driver.find_element(By.CSS_SELECTOR, "label[for=code]").text, "인증번호")
        self.assertEqual(self.driver.switch_to.active_element, code)
        return link, code, self.driver.current_url.rstrip("/").split("/")[-1]

    def test_a_challenged_card_is_verified_with_the_keyboard_and_comes_back_paid(self):
        link, code, acs_id = self.start_challenge("본인 인증 주문")
        self.shot("3ds-challenge")
        code.send_keys("000000" if sent_code(acs_id) != "000000" else "111111", Keys.ENTER)
        error = self.wait.until(EC.visibility_of_element_located((By.ID, "acs-error")))
        self.assertIn("2번 더", error.text)
        self.driver.find_element(By.ID, "code").send_keys(sent_code(acs_id), Keys.ENTER)
        approval = self.wait.until(EC.visibility_of_element_located((By.ID, "approval-number")))
        self.assertNotIn(approval.text, ["", "-"])
        self.assertIn("/receipts/", self.driver.current_url)
        payment = api("GET", "/v1/payments/orders/" + link["orderId"])
        self.assertEqual(payment["status"], "DONE")
        self.assertEqual(payment["threeDSecure"], {"status": "Y", "eci": "05"})
        self.shot("3ds-paid")

    def test_an_abandoned_challenge_ends_the_payment_and_offers_another_try(self):
        link, code, _ = self.start_challenge("인증 취소 주문")
        cancel = self.driver.find_element(By.ID, "acs-cancel")
        cancel.send_keys(Keys.ENTER)
        message = self.wait.until(EC.visibility_of_element_located((By.ID, "verification-failed")))
        payment = api("GET", "/v1/payments/orders/" + link["orderId"])
        self.assertEqual(payment["status"], "ABORTED")
        self.assertEqual(payment["failure"]["code"], "CARDHOLDER_AUTHENTICATION_FAILED")
        self.assertEqual(message.text, payment["failure"]["message"])
        self.driver.find_element(By.ID, "retry-link").click()
        self.wait.until(EC.visibility_of_element_located((By.ID, "cardNumber")))
        self.shot("3ds-abandoned")


class HostedPageTests(BrowserCase):
    def test_card_number_is_grouped_as_typed(self):
        self.open_link(new_link())
        self.shot("pay-page")
        number = self.type_slowly("cardNumber", "4242424242424242")
        self.assertEqual(number.get_attribute("value"), "4242 4242 4242 4242")
        self.assertEqual(self.field("card-brand").text, "Visa")
        number.send_keys("9")  # Visa numbers run to 19 digits: a 17th is kept, grouped 4-4-4-4-3
        self.assertEqual(number.get_attribute("value"), "4242 4242 4242 4242 9")
        number.clear()
        self.type_slowly("cardNumber", "378282246310005")
        self.assertEqual(number.get_attribute("value"), "3782 822463 10005")
        self.assertEqual(self.field("cardCvc").get_attribute("maxlength"), "4")
        # A correction in the middle keeps the caret after the digit typed.
        number.clear()
        self.type_slowly("cardNumber", "42424242")
        self.driver.execute_script("arguments[0].setSelectionRange(2, 2)", number)
        number.send_keys("1")
        self.assertEqual(number.get_attribute("value"), "4214 2424 2")
        self.assertEqual(self.driver.execute_script("return arguments[0].selectionStart", number), 3)
        # Pasting a number written with hyphens.
        number.clear()
        self.driver.execute_script(
            "arguments[0].value = '5555-5555-5555-4444'; arguments[0].dispatchEvent(new InputEvent('input'))", number)
        self.assertEqual(number.get_attribute("value"), "5555 5555 5555 4444")
        expiry = self.type_slowly("cardExpiry", "1230")
        self.assertEqual(expiry.get_attribute("value"), "12/30")
        self.assertEqual(self.field("cardNumber").get_attribute("inputmode"), "numeric")

    def test_field_problems_show_on_blur_and_pay_waits_for_a_valid_form(self):
        self.open_link(new_link())
        self.type_slowly("cardNumber", "4242424242424241").send_keys(Keys.TAB)
        error = self.field("cardNumber-error")
        self.assertIn("카드번호를 다시 확인해 주세요", error.text)
        self.assertEqual(self.field("cardNumber").get_attribute("aria-invalid"), "true")
        self.assertFalse(self.field("pay-button").is_enabled())
        self.fill("4242424242424242")
        self.assertEqual(error.text, "")
        self.assertTrue(self.field("pay-button").is_enabled())
        self.shot("pay-page-filled")

    def test_a_declined_card_shows_its_korean_message_and_retry_keeps_the_fields(self):
        # The page tells a customer any card company refusal as REJECT_CARD_COMPANY, whose message the API gives for
        # the card it declines with that code. The page's card (54, expired at the card company) is one no other
        # scenario declines: a card declined lately is challenged (3-D Secure) instead.
        expected = api("POST", "/v1/payments/key-in", {
            "amount": 1000, "orderId": "browser-decline-probe", "orderName": "probe", "cardNumber": "4000000000000002",
            "cardExpirationYear": "30", "cardExpirationMonth": "12"})["customerMessage"]["ko"]
        self.open_link(new_link())
        self.fill("4000000000000069")
        self.field("pay-button").click()
        message = self.wait.until(EC.visibility_of_element_located((By.ID, "failure-message")))
        self.assertEqual(message.text, expected)
        self.shot("pay-declined")
        self.field("retry-button").click()
        self.assertEqual(self.field("cardNumber").get_attribute("value"), "4000 0000 0000 0069")
        self.assertEqual(self.field("cardExpiry").get_attribute("value"), "12/30")
        self.assertEqual(self.field("customerIdentityNumber").get_attribute("value"), "900101")
        self.assertEqual(self.field("cardCvc").get_attribute("value"), "")
        self.assertEqual(self.field("cardPassword").get_attribute("value"), "")

    def test_a_good_card_reaches_the_receipt_and_a_double_click_pays_once(self):
        link = new_link()
        self.open_link(link)
        self.fill("4242424242424242")
        ActionChains(self.driver).double_click(self.field("pay-button")).perform()
        approval_number = self.wait.until(EC.visibility_of_element_located((By.ID, "approve-no"))).text
        self.assertTrue(approval_number)
        self.shot("pay-approved")
        # The one-question survey under the result.
        self.driver.find_element(By.CSS_SELECTOR, '.rate[data-rating="5"]').click()
        self.wait.until(EC.text_to_be_present_in_element((By.ID, "feedback-status"), "의견 감사합니다"))
        shown = api("GET", "/v1/payment-links/" + link["paymentLinkId"])
        self.assertEqual(shown["status"], "PAID")
        payments = api("GET", "/v1/payments?limit=100")["payments"]
        mine = [p for p in payments if p["orderId"] == link["orderId"]]
        self.assertEqual(len(mine), 1, mine)
        self.assertEqual(mine[0]["status"], "DONE")
        self.field("receipt-link").click()
        self.wait.until(EC.presence_of_element_located((By.ID, "approval-number")))
        self.assertEqual(self.field("approval-number").text, approval_number)
        self.assertIn("55,000원", self.field("receipt-total").text)
        self.shot("receipt")

    def test_english_page_and_help(self):
        link = new_link(30000, "Gift box")
        self.driver.get(link["url"] + "?lang=en")
        self.wait.until(EC.presence_of_element_located((By.ID, "cardNumber")))
        self.assertIn("Card number", self.driver.page_source)
        self.assertEqual(self.driver.find_elements(By.ID, "cardInstallmentPlan"), [])
        self.driver.get(BASE + "/help?q=CVC")
        self.assertIn("INVALID_CARD_CVC", self.driver.page_source)
        self.shot("help")


class ConsoleTests(BrowserCase):
    """The merchant console: sign in, see the dashboard, refund a payment, key in a phone order."""

    def sign_in(self):
        sign_in(self.driver, self.wait)

    def test_console_signs_in_and_refunds(self):
        paid = api("POST", "/v1/payments/key-in", {
            "amount": 33000, "orderId": "browser-refund-1", "orderName": "환불할 주문", "cardNumber": "5555555555554444",
            "cardExpirationYear": "30", "cardExpirationMonth": "12", "customerIdentityNumber": "900101",
            "cardPassword": "12"})
        self.assertEqual(paid["status"], "DONE", paid)
        for number, order in [("4000000000000564", "browser-fail-1"), ("4000000000000911", "browser-fail-2"),
                              ("4000000000000002", "browser-fail-3")]:
            failed = api("POST", "/v1/payments/key-in", {
                "amount": 21000, "orderId": order, "orderName": "실패할 주문", "cardNumber": number,
                "cardExpirationYear": "30", "cardExpirationMonth": "12", "customerIdentityNumber": "900101",
                "cardPassword": "12"})
            self.assertIn("code", failed)
        self.sign_in()
        self.assertIn("대시보드", self.driver.page_source)
        self.shot("console-dashboard")
        self.driver.get(BASE + "/console/payments?q=browser-refund-1")
        self.driver.find_element(By.LINK_TEXT, "browser-refund-1").click()
        self.wait.until(EC.presence_of_element_located((By.ID, "cancel-button")))
        self.field("cancelReason").send_keys("고객 요청 환불")
        self.field("cancel-button").click()
        self.wait.until(EC.presence_of_element_located((By.ID, "console-done")))
        self.assertEqual(self.field("payment-status").text, "취소")
        self.assertEqual(self.field("balance").text, "0원")
        self.shot("console-payment")
        self.assertEqual(api("GET", "/v1/payments/" + paid["paymentKey"])["status"], "CANCELED")

    def test_virtual_terminal_keys_in_a_phone_order(self):
        self.sign_in()
        self.driver.get(BASE + "/console/terminal")
        amount = self.type_slowly("amount-input", "52000")
        self.assertEqual(amount.get_attribute("value"), "52,000")
        self.assertTrue(self.field("installment-field").is_displayed())
        self.type_slowly("orderName-input", "전화 주문 - 텀블러")
        self.fill("4242424242424242")
        self.shot("console-terminal")
        self.field("pay-button").click()
        self.assertTrue(self.wait.until(EC.visibility_of_element_located((By.ID, "approve-no"))).text)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
