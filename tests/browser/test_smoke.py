"""Smoke test of the browser path: Debian's headless Chromium, driven by Selenium through
chromium-driver inside the lab's network namespace, opens the back-office's login page through the
edge (https://opt.coaxis.test, *.coaxis.test mapped to the edge's address, the lab's certificate
accepted by its public key alone) and finds the login form. Run: lab/engine.sh exec -- .venv/bin/pytest
tests/browser/test_smoke.py"""
import base64
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

EDGE = "10.129.0.1"  # the Docker host's address on the Coaxis LAN: the edge listens there
CERT = Path(os.environ.get("LAB_STATE", "/var/lib/coaxis-lab")) / "tls" / "wildcard.crt"


def public_key_pin(cert):
    """base64(SHA-256(SubjectPublicKeyInfo)) of the certificate: Chromium's SPKI allow-list entry."""
    pem = subprocess.run(["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"], check=True,
                         capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pem, check=True,
                         capture_output=True).stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


@pytest.fixture
def chromium():
    profile = tempfile.mkdtemp(prefix="opt-smoke-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", f"--user-data-dir={profile}",
                 f"--host-resolver-rules=MAP *.coaxis.test {EDGE}, EXCLUDE localhost",
                 f"--ignore-certificate-errors-spki-list={public_key_pin(CERT)}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_the_login_page_opens_through_the_edge(chromium):
    chromium.get("https://opt.coaxis.test/accounts/login/")
    field = WebDriverWait(chromium, 20).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "#id_username")))
    assert field.get_attribute("name") == "username"
    assert chromium.current_url == "https://opt.coaxis.test/accounts/login/"
