"""Browser tests of support: live chat between a customer's payment page and the console, a chat nobody answers
turning into an inquiry, and inquiries sent from the result page and the receipt reaching the console's inbox."""
import sys
import unittest

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from keyin_browser import BASE, BrowserCase, new_driver, new_link, pay_by_api, sign_in


class SupportTests(BrowserCase):
    """`driver` is the customer's phone; `staff` is a second browser, signed in to the console."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.staff = new_driver()
        cls.staff_wait = WebDriverWait(cls.staff, 20)
        sign_in(cls.staff, cls.staff_wait)

    @classmethod
    def tearDownClass(cls):
        cls.staff.quit()
        super().tearDownClass()

    def open_chat(self, link):
        self.open_link(link)
        self.driver.find_element(By.CSS_SELECTOR, "#chat summary").click()
        # The first frame says whether anyone is there.
        self.wait.until(lambda driver: driver.find_element(By.ID, "chat-status").text != "")
        return self.field("chat-status").text

    def inbox_shows(self, text):
        self.staff.get(BASE + "/console/inquiries")
        return text in self.staff.page_source

    def test_a_customer_and_the_shop_chat_live(self):
        self.staff.get(BASE + "/console/chat")
        self.staff_wait.until(EC.text_to_be_present_in_element((By.ID, "chat-status"), "상담 중"))
        status = self.open_chat(new_link(42000, "원목 도마"))
        self.assertIn("상담 직원과 연결되었습니다", status)
        self.type_slowly("chat-input", "배송 전에 주소를 바꿀 수 있나요?").send_keys(Keys.ENTER)
        # The question appears in the console as it is sent, under the order it is about.
        # (Earlier conversations are on the page too: find the one this question started.)
        section = self.staff_wait.until(EC.presence_of_element_located(
            (By.XPATH, "//section[@data-inquiry][contains(., '배송 전에 주소를 바꿀 수 있나요?')]")))
        self.assertIn("원목 도마", section.text)
        reply = section.find_element(By.TAG_NAME, "input")
        reply.send_keys("네, 출고 전이라 바꿔 드릴 수 있어요.")
        section.find_element(By.CLASS_NAME, "reply-send").click()
        self.wait.until(EC.text_to_be_present_in_element((By.ID, "chat-log"), "출고 전이라 바꿔 드릴 수 있어요"))
        self.shot("chat")
        self.shot("console-chat", self.staff)
        # The conversation is kept: the inbox lists it with both sides.
        self.assertTrue(self.inbox_shows("배송 전에 주소를 바꿀 수 있나요?"))

    def test_a_chat_nobody_answers_becomes_an_inquiry(self):
        self.staff.get(BASE + "/console")  # no one on the chat page
        status = self.open_chat(new_link(18000, "손수건 세트"))
        self.assertIn("지금은 상담 직원이 없습니다", status)
        self.type_slowly("chat-contact", "010-2345-6789")
        self.type_slowly("chat-input", "선물 포장이 되나요?").send_keys(Keys.ENTER)
        self.wait.until(EC.text_to_be_present_in_element((By.ID, "chat-log"), "문의"))
        self.assertTrue(self.inbox_shows("선물 포장이 되나요?"))
        self.assertIn("010-2345-6789", self.staff.page_source)

    def test_inquiries_from_the_result_page_and_the_receipt(self):
        link = new_link(27000, "린넨 앞치마")
        self.open_link(link)
        self.fill("4242424242424242")
        self.field("pay-button").click()
        self.wait.until(EC.visibility_of_element_located((By.ID, "approve-no")))
        self.driver.find_element(By.CSS_SELECTOR, "details.inquiry summary").click()
        self.type_slowly("inquiry-contact", "buyer@example.com")
        self.type_slowly("inquiry-message", "현금영수증도 받을 수 있을까요?")
        self.field("inquiry-send").click()
        self.wait.until(lambda driver: driver.find_element(By.ID, "inquiry-status").text != "")
        self.assertTrue(self.field("inquiry-send").get_attribute("disabled"))
        self.assertTrue(self.inbox_shows("현금영수증도 받을 수 있을까요?"))

        paid = pay_by_api("browser-receipt-inquiry-1", 61000, name="원두 1kg")
        self.driver.get(BASE + "/receipts/" + paid["paymentKey"])
        self.wait.until(EC.presence_of_element_located((By.ID, "inquiry-form")))
        self.driver.find_element(By.CSS_SELECTOR, "#inquiry summary").click()
        sent = self.field("inquiry-form").get_attribute("data-sent")
        self.type_slowly("inquiry-contact", "010-9876-5432")
        self.type_slowly("inquiry-message", "영수증 주소를 회사 주소로 바꿔 주세요.")
        self.driver.find_element(By.CSS_SELECTOR, "#inquiry-form button[type=submit]").click()
        self.wait.until(EC.text_to_be_present_in_element((By.ID, "inquiry-status"), sent))
        self.assertTrue(self.inbox_shows("영수증 주소를 회사 주소로 바꿔 주세요."))
        # A message the rules refuse says why, from the catalog, and nothing is sent.
        self.driver.get(BASE + "/receipts/" + paid["paymentKey"])
        self.wait.until(EC.presence_of_element_located((By.ID, "inquiry-form")))
        self.driver.find_element(By.CSS_SELECTOR, "#inquiry summary").click()
        self.type_slowly("inquiry-contact", "연락처 아님")
        self.type_slowly("inquiry-message", "확인 부탁드립니다.")
        self.driver.find_element(By.CSS_SELECTOR, "#inquiry-form button[type=submit]").click()
        self.wait.until(lambda driver: driver.find_element(By.ID, "inquiry-status").text not in ("", sent))
        self.assertFalse(self.inbox_shows("확인 부탁드립니다."))


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
