"""Signs in to a running Leefwijk through its login form, as a browser would, and prints
the session cookie and the session's CSRF token as two HTTP header lines.

Usage: login.py BASE_URL USERNAME PASSWORD

Cookies are handled by hand: Leefwijk marks them Secure, which browsers honour on
http://127.0.0.1 but Python's cookie jar does not.
"""
import http.client
import re
import sys
import urllib.parse


def request(base: str, method: str, path: str, cookies: dict, body: bytes | None = None):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    for value in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return response.status, response.read().decode()


def hidden_csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    if not found:
        sys.exit("login.py: no csrf field on the page")
    return found.group(1)


def main() -> None:
    base, username, password = sys.argv[1:4]
    cookies: dict = {}
    _, form = request(base, "GET", "/inloggen", cookies)
    body = urllib.parse.urlencode({"csrf": hidden_csrf(form), "username": username, "password": password})
    status, _ = request(base, "POST", "/inloggen", cookies, body.encode())
    session = cookies.get("leefwijk_session")
    if status != 303 or not session:
        sys.exit(f"login.py: signing in as {username} answered {status} without a session")
    _, page = request(base, "GET", "/wachtwoord", cookies)
    print(f"Cookie: leefwijk_session={session}")
    print(f"X-CSRF-Token: {hidden_csrf(page)}")


if __name__ == "__main__":
    main()
