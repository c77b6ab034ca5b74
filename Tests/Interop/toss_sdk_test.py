"""A Toss Payments integration switched to KeyIn: a published Toss client library (PyPI's
tosspayments-python-server-sdk 1.0.6) reads KeyIn's answers with nothing changed but its base URL and key.

Run by Tests/KeyInCLITests/InteropTests.swift against a `keyin serve`: KEYIN_BASE_URL and KEYIN_SECRET_KEY name it.
The library has no key-in call, so the payment is made with a plain POST, as a Toss integration makes it; then the
library retrieves it by payment key and by order id and cancels part of it, parsing every answer into its models.
"""

import importlib.util
import os
import sys
import types
import unittest
import uuid

import requests


def load_library():
    # Version 1.0.6's package __init__ imports exception names its exceptions module does not define, so importing
    # the package fails before any of it runs. The package is set up without that file; every module used below is
    # the library's own, unchanged.
    spec = importlib.util.find_spec("tosspayments_server_sdk")
    if spec is None:
        raise unittest.SkipTest("tosspayments-python-server-sdk is not installed")
    package = types.ModuleType("tosspayments_server_sdk")
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules["tosspayments_server_sdk"] = package
    from tosspayments_server_sdk.client import Client
    from tosspayments_server_sdk.exceptions import APIError
    return Client, APIError


BASE_URL = os.environ["KEYIN_BASE_URL"]
SECRET_KEY = os.environ["KEYIN_SECRET_KEY"]


class TossLibraryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.Client, cls.APIError = load_library()

    def client(self):
        client = self.Client(secret_key=SECRET_KEY)
        # The one line a switching merchant changes.
        client.config.api_base = BASE_URL
        return client

    def key_in(self, **fields):
        body = {
            "amount": 50000, "orderId": "toss-" + uuid.uuid4().hex[:12], "orderName": "토스에서 옮긴 주문",
            "cardNumber": "4242424242424242", "cardExpirationYear": "30", "cardExpirationMonth": "12",
            "customerIdentityNumber": "900101", "cardPassword": "12",
        }
        body.update(fields)
        response = requests.post(
            BASE_URL + "/v1/payments/key-in", json=body, auth=(SECRET_KEY, ""), timeout=30,
            headers={"Idempotency-Key": uuid.uuid4().hex})
        return response, body

    def test_retrieve_by_payment_key_and_order_id(self):
        response, body = self.key_in(taxFreeAmount=5000)
        self.assertEqual(response.status_code, 200, response.text)
        payment_key = response.json()["paymentKey"]
        client = self.client()
        payment = client.payments.retrieve(payment_key)
        self.assertTrue(payment.is_paid())
        self.assertEqual(payment.order_id, body["orderId"])
        self.assertEqual(payment.method, "카드")
        self.assertEqual(payment.total_amount, 50000)
        self.assertEqual(payment.tax_free_amount, 5000)
        # (50,000 − 5,000) / 11 = 4,090.9… → 4,091.
        self.assertEqual(payment.vat, 4091)
        self.assertEqual(payment.supplied_amount, 40909)
        self.assertEqual(payment.card.amount, 50000)
        self.assertEqual(payment.card.issuer_code, "41")
        self.assertEqual(payment.card.card_type, "신용")
        self.assertEqual(payment.card.owner_type, "개인")
        self.assertIsNotNone(payment.last_transaction_key)
        self.assertTrue(payment.receipt["url"].startswith("http"))
        by_order = client.payments.retrieve_by_order_id(body["orderId"])
        self.assertEqual(by_order.payment_key, payment_key)
        self.assertEqual(by_order.last_transaction_key, payment.last_transaction_key)

    def test_partial_cancel(self):
        response, _ = self.key_in()
        self.assertEqual(response.status_code, 200, response.text)
        payment_key = response.json()["paymentKey"]
        client = self.client()
        approval_key = client.payments.retrieve(payment_key).last_transaction_key
        canceled = client.payments.cancel(payment_key, "부분 반품", cancel_amount=20000)
        self.assertEqual(canceled.status.value, "PARTIAL_CANCELED")
        self.assertEqual(canceled.get_cancelable_amount(), 30000)
        self.assertEqual(canceled.get_canceled_amount(), 20000)
        self.assertEqual(len(canceled.cancels), 1)
        cancel = canceled.cancels[0]
        self.assertEqual(cancel.cancel_amount, 20000)
        self.assertEqual(cancel.cancel_reason, "부분 반품")
        self.assertEqual(cancel.transaction_key, canceled.last_transaction_key)
        self.assertNotEqual(cancel.transaction_key, approval_key)
        self.assertEqual(cancel.canceled_at.utcoffset().total_seconds(), 9 * 3600)

    def test_errors_keep_toss_codes(self):
        response, _ = self.key_in()
        payment_key = response.json()["paymentKey"]
        with self.assertRaises(self.APIError) as raised:
            self.client().payments.cancel(payment_key, "너무 많이", cancel_amount=60000)
        self.assertEqual(raised.exception.error_code, "NOT_CANCELABLE_AMOUNT")
        self.assertTrue(raised.exception.message)
        declined, _ = self.key_in(cardNumber="4000000000000002")
        self.assertEqual(declined.json()["code"], "REJECT_CARD_COMPANY")
        aborted = self.client().payments.retrieve(declined.json()["paymentKey"])
        self.assertEqual(aborted.status.value, "ABORTED")
        self.assertEqual(aborted.failure["code"], "REJECT_CARD_COMPANY")


if __name__ == "__main__":
    unittest.main()
