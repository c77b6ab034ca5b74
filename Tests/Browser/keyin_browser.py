"""What every browser test shares: the API client, a headless Chromium sized like a phone and set to Korean, and
the console sign-in.

The tests run against a real `keyin serve`: Tests/KeyInCLITests/BrowserTests.swift passes the address, the demo
merchant's secret key and console sign-in in KEYIN_BASE_URL, KEYIN_SECRET_KEY, KEYIN_CONSOLE_EMAIL and
KEYIN_CONSOLE_PASSWORD, and where to keep screenshots in KEYIN_SCREENSHOT_DIR.
"""
import base64
import json
import os
import shutil
import unittest
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["KEYIN_BASE_URL"]
SECRET = os.environ["KEYIN_SECRET_KEY"]
SHOTS = os.environ.get("KEYIN_SCREENSHOT_DIR")
CONSOLE_EMAIL = os.environ["KEYIN_CONSOLE_EMAIL"]
CONSOLE_PASSWORD = os.environ["KEYIN_CONSOLE_PASSWORD"]


def api(method, path, body=None, key=None):
    request = urllib.request.Request(BASE + path, method=method)
    request.add_header("Authorization", "Basic " + base64.b64encode((SECRET + ":").encode()).decode())
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Idempotency-Key", key)
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(request, data) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())


def new_link(amount=55000, name="맞춤 셔츠 1벌"):
    return api("POST", "/v1/payment-links", {"amount": amount, "orderName": name})


def new_driver():
    """A headless Chromium sized like a phone, set to Korean."""
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=412,915", "--lang=ko-KR"]:
        options.add_argument(argument)
    # A Korean customer's phone: the page answers in Korean unless English is asked for.
    options.add_experimental_option("prefs", {"intl.accept_languages": "ko-KR,ko"})
    # Debian's chromium and chromium-driver, found on the PATH (no driver download).
    if shutil.which("chromium"):
        options.binary_location = shutil.which("chromium")
    return webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))


def sign_in(driver, wait):
    """Signs the demo owner in to the console, on a desktop-sized window (staff use the console on a desktop)."""
    driver.set_window_size(1280, 900)
    driver.get(BASE + "/console/login")
    wait.until(EC.presence_of_element_located((By.ID, "email")))
    driver.find_element(By.ID, "email").send_keys(CONSOLE_EMAIL)
    driver.find_element(By.ID, "password").send_keys(CONSOLE_PASSWORD)
    driver.find_element(By.ID, "login-button").click()
    wait.until(EC.presence_of_element_located((By.CLASS_NAME, "figures")))


def pay_by_api(order_id, amount=33000, number="4242424242424242", name="전화 주문"):
    return api("POST", "/v1/payments/key-in", {
        "amount": amount, "orderId": order_id, "orderName": name, "cardNumber": number,
        "cardExpirationYear": "30", "cardExpirationMonth": "12", "customerIdentityNumber": "900101",
        "cardPassword": "12"})


class BrowserCase(unittest.TestCase):
    """One headless Chromium per test class."""

    @classmethod
    def setUpClass(cls):
        cls.driver = new_driver()
        cls.wait = WebDriverWait(cls.driver, 20)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def shot(self, name, driver=None):
        if SHOTS:
            (driver or self.driver).save_screenshot(os.path.join(SHOTS, name + ".png"))

    def open_link(self, link):
        self.driver.get(link["url"])
        self.wait.until(EC.presence_of_element_located((By.ID, "cardNumber")))

    def field(self, name):
        return self.driver.find_element(By.ID, name)

    def type_slowly(self, name, text):
        element = self.field(name)
        element.click()
        for character in text:
            element.send_keys(character)
        return element

    def fill(self, number, expiry="1230", cvc="123", identity="900101", password="12"):
        for name, value in [("cardNumber", number), ("cardExpiry", expiry), ("cardCvc", cvc),
                            ("customerIdentityNumber", identity), ("cardPassword", password)]:
            element = self.field(name)
            element.clear()
            self.type_slowly(name, value)
        self.field("cardPassword").send_keys(Keys.TAB)
