#!/usr/bin/python3
"""The staff console in a real browser (CTest label `console`): headless
Chromium driven through chromedriver against a real cardd, real card-termsim
terminals and the simulated encoder, each workflow of the card centre's
operating manual done at the screens as a cashier would, and what an account
without the role, a forged request and an idle session get.

Usage: console_browser_test.py BIN_DIR [SCREENSHOT_DIR]"""

import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console_site import Site, wait_for  # noqa: E402

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/bin"
SHOTS = sys.argv[2] if len(sys.argv) > 2 else None

ADMIN = ("zhang.admin", "admin-pass-2026")
CASHIER = ("li.cashier", "cashier-pass-2026")
VIEWER = ("wang.viewer", "viewer-pass-2026")


class ConsoleInBrowser(unittest.TestCase):
    site = None

    @classmethod
    def setUpClass(cls):
        site = cls.site = Site(BIN)
        try:
            site.start_terminal("canteen-1", 2001)
            site.start_terminal("canteen-2", 2002)
            site.terminal_ports["canteen-3"] = site.start_terminal("canteen-3", 2003)
            site.stop("canteen-3")  # a dead terminal: registered, not answering
            site.start_cardd()
            for name in ("canteen-1", "canteen-2", "canteen-3"):
                site.cardctl("device", "add-terminal", name, "--tcp", f"127.0.0.1:{site.terminal_ports[name]}")
            site.cardctl("device", "add-encoder", "desk", "--sim")
            people = [("E001", "张三", "食堂部"), ("E002", "李四", "财务部"), ("E003", "王五", "财务部"),
                      ("E004", "赵六", "保卫处"), ("E005", "Alice Chen", "IT")]
            for staff, name, dept in people:
                site.cardctl("person", "add", staff, "--name", name, "--dept", dept)
            site.add_account(ADMIN[0], "admin", ADMIN[1])
            site.add_account(CASHIER[0], "issuer", CASHIER[1])
            site.add_account(VIEWER[0], "viewer", VIEWER[1])
            site.start_console()
            site.open_browser()
        except Exception:
            site.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.site.close()

    # --- helpers ---------------------------------------------------------

    @property
    def d(self):
        return self.site.driver

    def wait(self, condition, timeout=20):
        return WebDriverWait(self.d, timeout).until(condition)

    def el(self, css, timeout=20):
        return self.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout)

    def text_in(self, css, text, timeout=20):
        self.wait(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text), timeout)
        return self.d.find_element(By.CSS_SELECTOR, css).text

    def shot(self, name):
        if SHOTS:
            os.makedirs(SHOTS, exist_ok=True)
            self.d.save_screenshot(os.path.join(SHOTS, f"console-{name}.png"))

    def go(self, route):
        self.d.get(self.site.url + "#/" + route)
        self.el("#screen h1")

    def type_into(self, css, text):
        field = self.el(css)
        field.clear()
        field.send_keys(text)

    def login(self, account, expect_ok=True):
        self.d.delete_all_cookies()
        self.d.get(self.site.url)
        self.type_into("#login-name", account[0])
        self.type_into("#login-password", account[1])
        self.el("#login-submit").click()
        if expect_ok:
            self.el("#menu a")
            self.text_in("#who", account[0])

    def finish_workflow(self, place=None, timeout=30):
        """Waits for the workflow dialog's outcome, placing a card first when asked."""
        self.el("#workflow")
        if place:
            self.text_in("#workflow-prompt", "desk", timeout)
            place()
        self.el("#workflow-close", timeout)
        result = self.d.find_element(By.CSS_SELECTOR, "#workflow-result .message")
        outcome = (result.get_attribute("data-result"), result.text)
        self.d.find_element(By.CSS_SELECTOR, "#workflow-close").click()
        return outcome

    def place_blank(self, count=1):
        args = ["encoder", "sim-place", "--blank"] + (["--count", str(count)] if count > 1 else [])
        return lambda: self.site.cardctl(*args)

    def place_uid(self, uid):
        return lambda: self.site.cardctl("encoder", "sim-place", "--uid", uid)

    def fetch(self, path, body, csrf=True):
        """A request from the page's own script: the session's CSRF token when asked."""
        return self.d.execute_async_script("""
            const [path, body, withCsrf, done] = arguments;
            (async () => {
              const session = await (await fetch('/api/session')).json();
              const headers = {'Content-Type': 'application/json'};
              if (withCsrf) headers['X-CSRF-Token'] = session.csrf;
              const response = await fetch(path, {method: 'POST', headers, body: JSON.stringify(body)});
              done({status: response.status, body: await response.text()});
            })().catch((e) => done({status: -1, body: String(e)}));
        """, path, body, csrf)

    def listed(self):
        """The staff numbers the people table shows now."""
        return self.d.execute_script(
            "return [...document.querySelectorAll('#people-table tbody tr[data-staff]')].map((r) => r.dataset.staff)")

    def wait_listed(self, expected):
        """Until the table shows exactly these people (it is redrawn after each search)."""
        self.wait(lambda _: sorted(self.listed()) == sorted(expected))

    def pick(self, staff):
        # The table is redrawn when the selection changes: find the box anew each try.
        def ticked(_):
            try:
                box = self.d.find_element(By.CSS_SELECTOR, f"#people-table input.pick[data-staff='{staff}']")
                if not box.is_selected():
                    box.click()
                return staff in self.d.find_element(By.CSS_SELECTOR, "#selection-table").text
            except (StaleElementReferenceException, NoSuchElementException):
                return False
        self.wait(ticked)

    # --- the tests, in the order a site lives them ------------------------

    def test_01_wrong_password_then_lockout_at_login(self):
        self.site.add_account("zhou.locked", "issuer", "locked-pass-2026")
        for _ in range(5):
            self.login(("zhou.locked", "not-the-password"), expect_ok=False)
            self.text_in("#login-result .message", "wrong")
        # The right password, after five wrong ones: still refused.
        self.login(("zhou.locked", "locked-pass-2026"), expect_ok=False)
        message = self.text_in("#login-result .message", "locked")
        self.assertIn("locked", message)
        self.assertEqual(self.d.find_elements(By.CSS_SELECTOR, "#menu a"), [])
        self.shot("lockout")
        # An administrator's new password unlocks it.
        self.site.cardctl("account", "passwd", "zhou.locked", "--password-stdin", stdin="new-locked-pass-2026\n")
        self.login(("zhou.locked", "new-locked-pass-2026"))

    def test_02_language_follows_the_browser_and_the_switch(self):
        self.login(CASHIER)
        self.assertEqual(self.el("#brand").text, "一卡通卡务中心")
        self.assertEqual(self.el("#menu-topup").text, "现金充值")
        self.el("#language").click()
        self.text_in("#menu-topup", "Cash top-up")
        self.el("#language").click()
        self.text_in("#menu-topup", "现金充值")

    def test_03_people_search_department_and_paging(self):
        self.login(CASHIER)
        self.go("people")
        self.wait_listed(["E001", "E002", "E003", "E004", "E005"])
        self.type_into("#people-query", "alice")  # case-insensitive
        self.wait_listed(["E005"])
        self.type_into("#people-query", "王")
        self.wait_listed(["E003"])
        self.el("#people-query").send_keys(Keys.BACKSPACE)
        self.wait_listed(["E001", "E002", "E003", "E004", "E005"])
        Select(self.el("#people-dept")).select_by_value("财务部")
        self.wait_listed(["E002", "E003"])
        self.text_in("#people-count", "共 2 条")
        self.pick("E002")
        self.shot("people")

    def test_04_issue_one_card_with_the_card_placed_when_asked(self):
        self.login(CASHIER)
        self.go("issue/single")
        self.type_into("#issue-staff", "E001")
        self.type_into("#issue-card-no", "1001")
        self.type_into("#issue-opening", "50")
        self.el("#issue-write").click()
        # No card on the encoder: the dialog says to place it, then finishes.
        result, text = self.finish_workflow(place=self.place_blank())
        self.assertEqual(result, "0", text)
        card = self.site.card(1001)
        self.assertEqual((card["staff_no"], card["balance"], card["state"]), ("E001", 5000, "active"))

    def test_04b_onboarding_a_person_and_the_card_in_one_form(self):
        self.site.cardctl("encoder", "sim-remove")
        self.login(CASHIER)
        self.go("issue/onboarding")
        self.type_into("#onboard-staff", "E006")
        self.type_into("#onboard-name", "孙七")
        self.type_into("#onboard-dept", "食堂部")
        self.type_into("#onboard-card-no", "900")  # below 1001: the batch numbers after the highest
        self.type_into("#onboard-opening", "30")
        self.el("#onboard-write").click()
        result, text = self.finish_workflow(place=self.place_blank())
        self.assertEqual(result, "0", text)
        card = self.site.card(900)
        self.assertEqual((card["staff_no"], card["name"], card["dept"], card["balance"]), ("E006", "孙七", "食堂部", 3000))

    def test_05_cash_topup_in_yuan(self):
        self.login(CASHIER)
        self.go("topup")
        self.type_into("#topup-card", "1001")
        self.el("#topup-amount").click()
        self.text_in("#topup-card-holder", "张三")
        self.type_into("#topup-amount", "20.5")
        self.shot("topup")
        uid = self.site.card(1001)["uid"]
        self.site.cardctl("encoder", "sim-remove")
        self.el("#topup-write").click()
        result, text = self.finish_workflow(place=self.place_uid(uid))
        self.assertEqual(result, "0", text)
        self.assertEqual(self.site.card(1001)["balance"], 7050)
        self.text_in("#topup-card-holder", "70.50")

    def test_05b_cancel_while_waiting_for_the_card_writes_nothing(self):
        self.site.cardctl("encoder", "sim-remove")
        self.login(CASHIER)
        self.go("topup")
        self.type_into("#topup-card", "1001")
        self.type_into("#topup-amount", "5")
        self.el("#topup-write").click()
        self.text_in("#workflow-prompt", "desk")
        self.el("#workflow-cancel").click()
        self.el("#workflow-close")
        result = self.d.find_element(By.CSS_SELECTOR, "#workflow-result .message")
        self.assertEqual(result.get_attribute("data-result"), "7", result.text)
        self.assertIn("cancelled", result.text)
        self.d.find_element(By.CSS_SELECTOR, "#workflow-close").click()
        self.assertEqual(self.site.card(1001)["balance"], 7050)

    def test_06_a_bad_amount_is_refused_before_cardd(self):
        self.login(CASHIER)
        self.go("topup")
        self.type_into("#topup-card", "1001")
        self.type_into("#topup-amount", "20.555")
        self.el("#topup-write").click()
        self.text_in("#topup-result .message", "两位小数")
        self.assertEqual(self.site.card(1001)["balance"], 7050)

    def test_07_batch_issue_to_the_selection_rehearsed_first(self):
        self.login(CASHIER)
        self.go("issue/batch")
        Select(self.el("#people-dept")).select_by_value("财务部")
        self.wait_listed(["E002", "E003"])
        self.pick("E002")
        self.pick("E003")
        self.type_into("#batch-opening", "10")
        self.el("#batch-rehearse").click()
        plan = self.text_in("#batch-plan", "E003")
        self.assertIn("1002", plan)  # assigned: the next free number after 1001
        self.shot("batch")
        # The cashier takes the last card away; the batch asks for each new one.
        self.site.cardctl("encoder", "sim-remove")
        self.el("#batch-write").click()
        result, text = self.finish_workflow(place=self.place_blank(2), timeout=40)
        self.assertEqual(result, "0", text)
        for card_no, staff in ((1002, "E002"), (1003, "E003")):
            card = self.site.card(card_no)
            self.assertEqual((card["staff_no"], card["balance"]), (staff, 1000))

    def test_08_loss_of_two_people_with_a_dead_terminal_then_resend(self):
        self.login(CASHIER)
        self.go("loss")
        Select(self.el("#people-dept")).select_by_value("财务部")
        self.wait_listed(["E002", "E003"])
        self.pick("E002")
        self.pick("E003")
        self.text_in("#loss-chosen", "1002")
        Select(self.el("#loss-reason")).select_by_value("damaged")
        # Without a push the screen warns that the cards still work.
        self.el("#loss-push").click()
        self.text_in("#loss-no-push", "仍可使用")
        self.el("#loss-push").click()
        self.el("#loss-report").click()
        outcome = self.text_in("#push-outcomes", "canteen-3", timeout=40)
        self.assertIn("canteen-1", outcome)
        self.shot("loss")
        for card_no in (1002, 1003):
            self.assertEqual(self.site.card(card_no)["state"], "lost")
        losses = self.site.cardctl("losses", "--open")["arguments"]["losses"]
        self.assertEqual(sorted(l["card_no"] for l in losses), [1002, 1003])
        self.assertTrue(all(l.get("reason") == "damaged" for l in losses))
        # The dead terminal is in the failed list; it comes back and an
        # administrator resends (resync is the admin's, as on the socket).
        self.go("failed")
        self.text_in("#failed-table", "canteen-3")
        self.el("#failed-admin-only")
        self.login(ADMIN)
        self.go("failed")
        self.text_in("#failed-table", "canteen-3")
        self.shot("failed")
        self.site.start_terminal("canteen-3", 2003, port=self.site.terminal_ports["canteen-3"])
        self.el("#failed-resend").click()
        self.text_in("#failed-result .message", "level", timeout=40)
        devices = {d["name"]: d for d in self.site.cardctl("device", "list")["arguments"]["devices"]}
        self.assertEqual(devices["canteen-3"]["state"], "level")

    def test_09_unlock_by_date(self):
        self.login(CASHIER)
        self.go("unlock")
        today = time.strftime("%Y-%m-%d")
        for css in ("#unlock-from", "#unlock-to"):
            self.d.execute_script("arguments[0].value = arguments[1]", self.el(css), today)
        self.el("#unlock-find").click()
        self.text_in("#unlock-table", "1002")
        self.el("#unlock-table input.unlock-pick[value='1002']").click()
        self.el("#unlock-do").click()
        self.text_in("#unlock-result .message", "1002", timeout=40)
        self.assertEqual(self.site.card(1002)["state"], "active")
        self.assertEqual(self.site.card(1003)["state"], "lost")

    def test_10_replacement_of_a_lost_card(self):
        self.login(CASHIER)
        self.go("replace")
        self.text_in("#replace-table", "1003")
        self.type_into("#replace-old", "1003")
        self.type_into("#replace-new", "1004")
        self.site.cardctl("encoder", "sim-remove")
        self.el("#replace-write").click()
        result, text = self.finish_workflow(place=self.place_blank(), timeout=40)
        self.assertEqual(result, "0", text)
        self.assertEqual(self.site.card(1004)["balance"], 1000)
        self.assertEqual(self.site.card(1003)["state"], "replaced")

    def test_11_card_information(self):
        self.login(VIEWER)
        self.go("info/1001")
        self.text_in("#card-holder", "张三")
        self.assertIn("70.50", self.el("#card-balance").text)
        ledger = self.el("#card-ledger").text
        self.assertIn("50.00", ledger)
        self.assertIn("20.50", ledger)
        self.shot("card-info")

    def test_11b_read_the_card_and_compare(self):
        uid = self.site.card(1002)["uid"]
        self.site.cardctl("encoder", "sim-remove")
        self.login(CASHIER)
        self.go("read")
        self.type_into("#read-expected", "1002")
        self.el("#read-card").click()
        result, text = self.finish_workflow(place=self.place_uid(uid))
        self.assertEqual(result, "0", text)
        self.assertIn("agrees", text)
        compare = self.el("#read-compare").text
        self.assertIn("1002", compare)
        self.assertEqual(self.d.find_elements(By.CSS_SELECTOR, "#read-differences"), [])

    def test_12_return_with_wipe(self):
        uid = self.site.card(1001)["uid"]
        self.login(CASHIER)
        self.go("return")
        self.type_into("#return-card", "1001")
        self.site.cardctl("encoder", "sim-remove")
        self.el("#return-write").click()
        result, text = self.finish_workflow(place=self.place_uid(uid), timeout=40)
        self.assertEqual(result, "0", text)
        self.assertEqual(self.site.card(1001)["state"], "returned")

    def test_12b_refund_and_close(self):
        uid = self.site.card(900)["uid"]
        self.site.cardctl("encoder", "sim-remove")
        self.login(CASHIER)
        self.go("refund")
        self.type_into("#refund-card", "900")
        self.el("#refund-write").click()
        self.wait(EC.alert_is_present()).accept()
        result, text = self.finish_workflow(place=self.place_uid(uid))
        self.assertEqual(result, "0", text)
        self.assertNotEqual(self.site.card(900)["state"], "active")

    def test_12c_initialise_a_card_that_is_no_live_card(self):
        uid = self.site.card(1003)["uid"]  # replaced by 1004
        self.site.cardctl("encoder", "sim-remove")
        self.login(CASHIER)
        self.go("init")
        self.el("#init-card").click()
        result, text = self.finish_workflow(place=self.place_uid(uid))
        self.assertEqual(result, "0", text)
        self.assertIn("blank", text)

    def test_13_a_viewer_is_refused_a_topup(self):
        before = self.site.card(1002)["balance"]
        self.login(VIEWER)
        self.assertEqual(self.d.find_elements(By.CSS_SELECTOR, "#menu-topup"), [])
        answer = self.fetch("/api/call", {"command": "card-topup", "arguments": {"card_no": 1002, "amount": 100}})
        self.assertEqual(answer["status"], 200)
        self.assertEqual(json.loads(answer["body"])["result"], 5)
        self.assertEqual(self.site.card(1002)["balance"], before)

    def test_14_a_change_without_the_csrf_token_is_refused(self):
        before = self.site.card(1002)["balance"]
        self.login(CASHIER)
        answer = self.fetch("/api/call", {"command": "card-topup", "arguments": {"card_no": 1002, "amount": 100}},
                            csrf=False)
        self.assertEqual(answer["status"], 403)
        self.assertEqual(self.site.card(1002)["balance"], before)

    def test_15_devices_accounts_and_audit(self):
        self.login(ADMIN)
        self.go("devices")
        self.text_in("#terminals-table", "canteen-3")
        self.el("#encoders-table button[data-device='desk']").click()
        self.text_in("#devices-result .message", "desk")
        self.shot("devices")
        self.go("accounts")
        self.text_in("#accounts-table", CASHIER[0])
        self.go("audit")
        self.type_into("#audit-account", CASHIER[0])
        self.el("#audit-find").click()
        audit = self.text_in("#audit-table", "console")
        self.assertIn("card.topup", audit)
        self.shot("audit")

    def test_15b_card_format_and_accounts_as_admin(self):
        self.login(ADMIN)
        self.go("format")
        self.type_into("#format-max", "400000")
        self.el("#format-save").click()
        self.text_in("#format-result .message", "saved")
        self.assertEqual(self.site.cardctl("format", "show")["arguments"]["max_card_no"], 400000)
        self.go("accounts")
        self.type_into("#account-name", "qian.viewer")
        Select(self.el("#account-role")).select_by_value("viewer")
        self.type_into("#account-password", "qian-viewer-2026")
        self.el("#account-add").click()
        self.text_in("#accounts-table", "qian.viewer")
        accounts = {a["name"]: a for a in self.site.cardctl("account", "list")["arguments"]["accounts"]}
        self.assertEqual(accounts["qian.viewer"]["role"], "viewer")
        # An issuer does not see the administrator's screens, and cardd refuses them anyway.
        self.login(CASHIER)
        self.assertEqual(self.d.find_elements(By.CSS_SELECTOR, "#menu-format"), [])
        answer = self.fetch("/api/call", {"command": "format-set", "arguments": {"max_card_no": 1000}})
        self.assertEqual(json.loads(answer["body"])["result"], 5)
        self.assertEqual(self.site.cardctl("format", "show")["arguments"]["max_card_no"], 400000)

    def test_16_logout_ends_the_session(self):
        self.login(CASHIER)
        self.el("#logout").click()
        self.el("#login-form")
        session = self.d.execute_async_script(
            "const done = arguments[0]; fetch('/api/session').then((r) => done(r.status));")
        self.assertEqual(session, 401)

    def test_17_an_idle_session_expires(self):
        # cardd again, with a two-second idle timeout; sessions do not survive it.
        site = self.site
        site.stop("cardd")
        site.idle_s = 2
        site.start_cardd()
        self.login(CASHIER)
        time.sleep(3.5)
        self.d.get(site.url + "#/topup")
        self.el("#login-form")
        self.assertEqual(self.d.find_elements(By.CSS_SELECTOR, "#menu a"), [])

    def test_18_secrets_stay_out_of_the_logs(self):
        for log in ("cardd", "console"):
            text = self.site.log(log)
            for account in (ADMIN, CASHIER, VIEWER):
                self.assertNotIn(account[1], text, f"a password in the {log} log")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
