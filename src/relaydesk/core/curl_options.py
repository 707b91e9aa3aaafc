"""The curl options Relaydesk understands, and how each one reads its argument.

Three groups: options that shape the request (handled by ``curl_parse``), options that
only change how curl shows or stores the response (accepted and ignored: they cannot
change what the server receives), and options that would change the request in a way
Relaydesk cannot reproduce (refused with a sentence saying why).
"""

from __future__ import annotations

from .errors import CurlParseError

__all__ = ["Option", "read_options"]

# Long name -> takes an argument. These change the request.
REQUEST_OPTIONS: dict[str, bool] = {
    "request": True, "header": True, "data": True, "data-ascii": True, "data-raw": True,
    "data-binary": True, "data-urlencode": True, "json": True, "form": True,
    "form-string": True, "user": True, "cookie": True, "user-agent": True, "referer": True,
    "url": True, "max-time": True, "upload-file": True, "range": True, "oauth2-bearer": True,
    "cacert": True, "cert": True, "key": True, "proxy": True, "url-query": True,
    "get": False, "junk-session-cookies": False, "head": False, "insecure": False,
    "location": False,
    "location-trusted": False, "compressed": False, "basic": False, "digest": False,
    "fail": False, "fail-with-body": False,
}

# Output, logging, retry and transport tuning: nothing the server can tell apart.
HARMLESS_OPTIONS: dict[str, bool] = {
    "output": True, "cookie-jar": True, "write-out": True, "dump-header": True,
    "trace": True, "trace-ascii": True, "stderr": True, "connect-timeout": True,
    "max-redirs": True, "retry": True, "retry-delay": True, "retry-max-time": True,
    "keepalive-time": True, "limit-rate": True, "expect100-timeout": True,
    "speed-time": True, "speed-limit": True, "max-filesize": True, "proto": True,
    "proto-redir": True, "proto-default": True, "ciphers": True, "tls13-ciphers": True,
    "curves": True, "local-port": True, "happy-eyeballs-timeout-ms": True, "rate": True,
    "parallel-max": True, "output-dir": True, "etag-save": True, "cert-type": True,
    "key-type": True, "pass": True, "capath": True, "hsts": True, "alt-svc": True,
    "tls-max": True, "pinnedpubkey": True, "crlfile": True, "interface": True,
    "dns-servers": True, "dns-interface": True, "doh-url": True, "noproxy": True,
    "create-file-mode": True, "random-file": True, "egd-file": True,
    "include": False, "silent": False, "show-error": False, "verbose": False,
    "globoff": False, "remote-name": False, "remote-name-all": False, "no-buffer": False,
    "progress-bar": False, "ipv4": False, "ipv6": False, "http1.0": False, "http1.1": False,
    "http2": False, "http2-prior-knowledge": False, "http3": False, "http3-only": False,
    "disable": False, "tcp-nodelay": False, "no-keepalive": False, "keepalive": False,
    "path-as-is": False, "raw": False, "create-dirs": False, "ssl-no-revoke": False,
    "ssl-revoke-best-effort": False, "remote-time": False,
    "no-progress-meter": False, "progress-meter": False, "styled-output": False,
    "ignore-content-length": False, "retry-connrefused": False, "retry-all-errors": False,
    "remove-on-error": False, "disallow-username-in-url": False,
    "xattr": False, "tlsv1": False, "tlsv1.0": False, "tlsv1.1": False, "tlsv1.2": False,
    "tlsv1.3": False, "sslv2": False, "sslv3": False, "ssl": False, "ssl-reqd": False,
    "no-sessionid": False, "sessionid": False, "no-alpn": False, "alpn": False,
    "no-npn": False, "npn": False, "remote-header-name": False, "fail-early": False,
    "parallel": False, "parallel-immediate": False, "suppress-connect-headers": False,
    "trace-time": False, "buffer": False, "post301": False, "post302": False,
    "post303": False, "tcp-fastopen": False, "false-start": False, "ssl-allow-beast": False,
    "cert-status": False, "clobber": False, "no-clobber": False,
}

# Options whose effect Relaydesk cannot reproduce: refused, with the reason.
REFUSED_OPTIONS: dict[str, str] = {
    "config": "reads more options from a file",
    "next": "starts a second request; import one request at a time",
    "proxy-user": "sets proxy credentials; set the proxy on the connection instead",
    "resolve": "overrides DNS for one host",
    "connect-to": "sends the request to another host",
    "unix-socket": "talks over a Unix socket",
    "abstract-unix-socket": "talks over a Unix socket",
    "request-target": "sends a request target other than the URL's path",
    "aws-sigv4": "signs the request with AWS Signature v4",
    "ntlm": "uses NTLM authentication",
    "ntlm-wb": "uses NTLM authentication",
    "negotiate": "uses Kerberos/SPNEGO authentication",
    "anyauth": "lets curl pick the authentication after a first try; use --basic or --digest",
    "netrc": "reads credentials from ~/.netrc",
    "netrc-file": "reads credentials from a netrc file",
    "netrc-optional": "reads credentials from ~/.netrc",
    "continue-at": "resumes a download",
    "time-cond": "sends a condition curl computes from a date or a file's time; give the "
                 "header (If-Modified-Since: …) with -H instead",
    "variable": "expands curl variables",
    "help": "prints curl's help instead of making a request",
    "version": "prints curl's version instead of making a request",
    "manual": "prints curl's manual instead of making a request",
    "crlf": "rewrites line endings of the upload",
    "use-ascii": "rewrites line endings of the upload",
    "append": "appends to an FTP/SFTP file",
    "telnet-option": "is a telnet option",
    "quote": "sends FTP/SFTP commands",
    "socks4": "goes through a SOCKS proxy; set the proxy on the connection instead",
    "socks4a": "goes through a SOCKS proxy; set the proxy on the connection instead",
    "socks5": "goes through a SOCKS proxy; set the proxy on the connection instead",
    "socks5-hostname": "goes through a SOCKS proxy; set the proxy on the connection instead",
    "preproxy": "goes through a proxy; set the proxy on the connection instead",
    "haproxy-protocol": "sends a PROXY protocol header",
    "delegation": "delegates Kerberos credentials",
    "etag-compare": "sends a condition read from a file",
    "form-escape": "escapes -F part names with backslashes, which Relaydesk's multipart "
                   "writer does not do",
    "tr-encoding": "asks for a compressed transfer encoding (TE), which Relaydesk's HTTP "
                   "client does not offer",
    "proxy-header": "sends headers to a proxy; set the proxy on the connection instead",
    "http0.9": "accepts HTTP/0.9 answers",
}

# Every long option curl 7.88 knows (``curl --help all``): an abbreviation is accepted
# when it starts exactly one of them, as curl does, and refused as ambiguous otherwise.
_CURL_788 = """
abstract-unix-socket alt-svc anyauth append aws-sigv4 basic cacert capath cert cert-status
cert-type ciphers compressed compressed-ssh config connect-timeout connect-to continue-at
cookie cookie-jar create-dirs create-file-mode crlf crlfile curves data data-ascii data-binary
data-raw data-urlencode delegation digest disable disable-eprt disable-epsv
disallow-username-in-url dns-interface dns-ipv4-addr dns-ipv6-addr dns-servers doh-cert-status
doh-insecure doh-url dump-header egd-file engine etag-compare etag-save expect100-timeout fail
fail-early fail-with-body false-start form form-escape form-string ftp-account
ftp-alternative-to-user ftp-create-dirs ftp-method ftp-pasv ftp-port ftp-pret ftp-skip-pasv-ip
ftp-ssl-ccc ftp-ssl-ccc-mode ftp-ssl-control get globoff happy-eyeballs-timeout-ms
haproxy-protocol head header help hostpubmd5 hostpubsha256 hsts http0.9 http1.0 http1.1 http2
http2-prior-knowledge http3 http3-only ignore-content-length include insecure interface ipv4
ipv6 json junk-session-cookies keepalive-time key key-type krb libcurl limit-rate list-only
local-port location location-trusted login-options mail-auth mail-from mail-rcpt
mail-rcpt-allowfails manual max-filesize max-redirs max-time metalink negotiate netrc
netrc-file netrc-optional next no-alpn no-buffer no-clobber no-keepalive no-npn
no-progress-meter no-sessionid noproxy ntlm ntlm-wb oauth2-bearer output output-dir parallel
parallel-immediate parallel-max pass path-as-is pinnedpubkey post301 post302 post303 preproxy
progress-bar proto proto-default proto-redir proxy proxy-anyauth proxy-basic proxy-cacert
proxy-capath proxy-cert proxy-cert-type proxy-ciphers proxy-crlfile proxy-digest proxy-header
proxy-insecure proxy-key proxy-key-type proxy-negotiate proxy-ntlm proxy-pass
proxy-pinnedpubkey proxy-service-name proxy-ssl-allow-beast proxy-ssl-auto-client-cert
proxy-tls13-ciphers proxy-tlsauthtype proxy-tlspassword proxy-tlsuser proxy-tlsv1 proxy-user
proxy1.0 proxytunnel pubkey quote random-file range rate raw referer remote-header-name
remote-name remote-name-all remote-time remove-on-error request request-target resolve retry
retry-all-errors retry-connrefused retry-delay retry-max-time sasl-authzid sasl-ir
service-name show-error silent socks4 socks4a socks5 socks5-basic socks5-gssapi
socks5-gssapi-nec socks5-gssapi-service socks5-hostname speed-limit speed-time ssl
ssl-allow-beast ssl-auto-client-cert ssl-no-revoke ssl-reqd ssl-revoke-best-effort sslv2 sslv3
stderr styled-output suppress-connect-headers tcp-fastopen tcp-nodelay telnet-option
tftp-blksize tftp-no-options time-cond tls-max tls13-ciphers tlsauthtype tlspassword tlsuser
tlsv1 tlsv1.0 tlsv1.1 tlsv1.2 tlsv1.3 tr-encoding trace trace-ascii trace-time unix-socket
upload-file url url-query use-ascii user user-agent verbose version write-out xattr
"""
CURL_LONG_OPTIONS = frozenset(_CURL_788.split())

SHORT_OPTIONS: dict[str, str] = {
    "X": "request", "H": "header", "d": "data", "F": "form", "u": "user", "b": "cookie",
    "A": "user-agent", "e": "referer", "m": "max-time", "T": "upload-file", "r": "range",
    "E": "cert", "x": "proxy", "o": "output", "c": "cookie-jar", "w": "write-out",
    "D": "dump-header", "G": "get", "k": "insecure", "L": "location", "I": "head",
    "i": "include", "s": "silent", "S": "show-error", "v": "verbose", "g": "globoff",
    "f": "fail", "O": "remote-name", "N": "no-buffer", "#": "progress-bar", "4": "ipv4",
    "6": "ipv6", "0": "http1.0", "q": "disable", "Z": "parallel",
    "j": "junk-session-cookies", "R": "remote-time", "J": "remote-header-name",
    "C": "continue-at", "K": "config", "n": "netrc", "h": "help", "V": "version",
    "M": "manual", "z": "time-cond", ":": "next", "U": "proxy-user", "y": "speed-time",
    "Y": "speed-limit", "t": "telnet-option", "Q": "quote", "a": "append", "B": "use-ascii",
}

# Refused options that take an argument (so the error names the option, not its value).
_REFUSED_WITH_ARG = {
    "config", "proxy-user", "resolve", "connect-to", "unix-socket", "abstract-unix-socket",
    "request-target", "aws-sigv4", "netrc-file", "continue-at", "time-cond", "variable",
    "telnet-option", "quote", "socks4", "socks4a", "socks5", "socks5-hostname", "preproxy",
    "etag-compare", "proxy-header",
}


class Option:
    """One parsed option: canonical long name, its argument (or None), and on/off."""

    __slots__ = ("arg", "enabled", "name")

    def __init__(self, name: str, arg: str | None, enabled: bool = True) -> None:
        self.name = name
        self.arg = arg
        self.enabled = enabled

    def __repr__(self) -> str:
        return f"Option({self.name!r}, {self.arg!r}, {self.enabled!r})"


def _takes_arg(name: str) -> bool | None:
    """True/False for a known option, None for an unknown one."""
    if name in REQUEST_OPTIONS:
        return REQUEST_OPTIONS[name]
    if name in HARMLESS_OPTIONS:
        return HARMLESS_OPTIONS[name]
    if name in REFUSED_OPTIONS:
        return name in _REFUSED_WITH_ARG
    return None


def _expand(given: str) -> str:
    """curl's reading of an abbreviated long option: an exact name, or the one option
    the text starts (``--sil`` is ``--silent``); several candidates are an error."""
    known = CURL_LONG_OPTIONS | REQUEST_OPTIONS.keys() | HARMLESS_OPTIONS.keys() \
        | REFUSED_OPTIONS.keys()
    if given in known or not given:
        return given
    tries = [(given, "")] + ([(given[3:], "no-")] if given.startswith("no-") else [])
    for text, prefix in tries:
        found = sorted(o for o in known if o.startswith(text))
        if len(found) == 1:
            return prefix + found[0]
        if len(found) > 1:
            shown = ", ".join(f"--{prefix}{o}" for o in found[:4])
            raise CurlParseError(f"--{given} is ambiguous ({shown}); curl refuses it too: "
                                 "write the option in full.")
    return given


def _refuse(name: str, shown: str) -> None:
    reason = REFUSED_OPTIONS.get(name)
    if reason:
        raise CurlParseError(f"The curl option {shown} is not supported: it {reason}.")


def _long(word: str, words: list[str], i: int) -> tuple[Option, int]:
    body = word[2:]
    inline: str | None = None
    if "=" in body:  # --flag=value: not curl syntax, but common in pasted docs
        body, inline = body.split("=", 1)
    name = _expand(body)
    takes = _takes_arg(name)
    enabled = True
    if takes is None and name.startswith("no-") and _takes_arg(name[3:]) is False:
        name, takes, enabled = name[3:], False, False
    if takes is None:
        raise CurlParseError(f"Unsupported curl option --{body}.")
    _refuse(name, f"--{name}")
    if not takes:
        if inline is not None:
            raise CurlParseError(f"The curl option --{name} does not take a value.")
        return Option(name, None, enabled), i + 1
    if inline is not None:
        return Option(name, inline), i + 1
    if i + 1 >= len(words):
        raise CurlParseError(f"The curl option --{name} needs a value after it.")
    return Option(name, words[i + 1]), i + 2


def _short(word: str, words: list[str], i: int) -> tuple[list[Option], int]:
    found: list[Option] = []
    j = 1
    while j < len(word):
        letter = word[j]
        name = SHORT_OPTIONS.get(letter)
        if name is None:
            raise CurlParseError(f"Unsupported curl option -{letter}.")
        _refuse(name, f"-{letter}")
        if not _takes_arg(name):
            found.append(Option(name, None))
            j += 1
            continue
        rest = word[j + 1:]
        if rest:  # -XPOST, -sXPOST
            found.append(Option(name, rest))
            return found, i + 1
        if i + 1 >= len(words):
            raise CurlParseError(f"The curl option -{letter} needs a value after it.")
        found.append(Option(name, words[i + 1]))
        return found, i + 2
    return found, i + 1


def read_options(words: list[str]) -> tuple[list[Option], list[str]]:
    """Options in command-line order, and the positional words (URLs)."""
    options: list[Option] = []
    positional: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            positional.extend(words[i + 1:])
            break
        if word.startswith("--"):
            opt, i = _long(word, words, i)
            options.append(opt)
        elif word.startswith("-") and len(word) > 1:
            opts, i = _short(word, words, i)
            options.extend(opts)
        else:
            positional.append(word)
            i += 1
    return options, positional
