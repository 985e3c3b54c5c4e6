"""Browser tests: Debian's headless Chromium, driven by Selenium through chromium-driver, opening
the real pages through the real edge proxy of the lab.

They run inside the lab's network namespace (`make browser` wraps pytest in `lab/engine.sh
exec`). Chromium resolves *.coaxis.test to the edge (the Docker host's address on the Coaxis LAN)
and accepts exactly the lab's own certificate (its public key pinned), nothing else.
"""
import base64
import hashlib
import os
import subprocess
import tempfile
import time
from pathlib import Path

import docker
import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]

LAB_STATE = Path(os.environ.get("LAB_STATE", "/var/lib/coaxis-lab"))
EDGE = "10.129.0.1"  # the Docker host's address on the Coaxis LAN; the edge listens there
DOMAIN = "coaxis.test"
CERT = LAB_STATE / "tls" / "wildcard.crt"
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", ROOT / "build" / "browser"))
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def spki_pin(cert_path):
    """The base64 SHA-256 of the certificate's public key, as Chromium's SPKI allow-list takes it."""
    der = subprocess.run(["openssl", "x509", "-in", str(cert_path), "-pubkey", "-noout"], check=True,
                         capture_output=True, text=True).stdout
    key = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=der.encode(), check=True,
                         capture_output=True).stdout
    return base64.b64encode(hashlib.sha256(key).digest()).decode()


def gone(element):
    """Whether element left the document (a new page replaced it). Chromium reports a node of an
    unloaded page as stale, or, while the next page is being built, as "not in the document"."""
    try:
        element.is_enabled()
        return False
    except WebDriverException:
        return True


def url(host, path="/"):
    return f"https://{host}.{DOMAIN}{path}"


class Browser:
    """One Chromium session (its own profile: cookies are not shared between sessions)."""

    def __init__(self, language="en"):
        self.profile = tempfile.mkdtemp(prefix="opt-browser-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", f"--user-data-dir={self.profile}", "--window-size=1280,900",
                     f"--host-resolver-rules=MAP *.{DOMAIN} {EDGE}, EXCLUDE localhost",
                     f"--ignore-certificate-errors-spki-list={spki_pin(CERT)}",
                     f"--lang={language}"):
            options.add_argument(flag)
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(60)

    def open(self, host, path="/"):
        self.driver.get(url(host, path))

    def find(self, css, timeout=20):
        try:
            return WebDriverWait(self.driver, timeout).until(
                expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))
        except TimeoutException:
            shot = self.screenshot("missing")
            raise AssertionError(f"no {css} within {timeout} s at {self.driver.current_url} ({shot}):\n"
                                 f"{self.driver.find_element(By.TAG_NAME, 'body').text[:3000]}") from None

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def fill(self, values):
        for element_id, value in values.items():
            field = self.find(f"#{element_id}")
            if field.tag_name == "select":
                from selenium.webdriver.support.ui import Select
                Select(field).select_by_value(value)
            else:
                field.clear()
                field.send_keys(value)

    def click(self, css, navigates=True):
        """Click; when it navigates (a link, a form's button), wait until the next page replaced
        this one, so that the next step never races a redirect still on its way."""
        page = self.driver.find_element(By.TAG_NAME, "html")
        self.find(css).click()
        if navigates:
            WebDriverWait(self.driver, 60).until(lambda _: gone(page))

    def login(self, host, email, password):
        self.open(host, "/accounts/login/")
        self.fill({"id_username": email, "id_password": password})
        self.click("button#login")

    def wait_for(self, predicate, timeout, what):
        """Poll predicate (reloading nothing: the pages refresh themselves) at most timeout seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(1)
        self.screenshot(f"timeout-{what}")
        raise AssertionError(f"{what}: not within {timeout} s; page: {self.driver.current_url}\n"
                             f"{self.driver.find_element(By.TAG_NAME, 'body').text[:3000]}")

    def wait_job(self, timeout=600):
        """After an action that queues a job: wait until its page says done; (state, page text).

        A form that answered with errors instead (no job page) fails at once, with its text."""
        started = time.monotonic()

        def done():
            states = self.all("#job-state")
            if not states:
                errors = self.all(".errorlist")
                if errors or time.monotonic() - started > 60:
                    self.screenshot("no-job")
                    raise AssertionError(f"no job page at {self.driver.current_url}:\n"
                                         f"{self.driver.find_element(By.TAG_NAME, 'body').text[:3000]}")
                return None
            try:
                state = states[0].get_attribute("data-state")
            except Exception:  # the page is reloading itself
                return None
            return state if state in ("succeeded", "failed") else None
        state = self.wait_for(done, timeout, "job")
        return state, self.driver.find_element(By.TAG_NAME, "body").text

    def screenshot(self, name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def quit(self):
        self.driver.quit()
        subprocess.run(["rm", "-rf", self.profile], check=False)


@pytest.fixture
def browsers():
    """A factory of browser sessions, all closed at the end."""
    opened = []

    def make(language="en"):
        opened.append(Browser(language))
        return opened[-1]
    yield make
    for browser in opened:
        browser.quit()


@pytest.fixture(scope="session")
def engine():
    return docker.DockerClient(base_url=os.environ.get("DOCKER_HOST", "unix:///run/coaxis-lab/docker.sock"))
