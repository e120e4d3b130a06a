"""HTTPS through the pinned address: SNI and certificate checks still use the host name."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from market_news.fetch import ConnectionFailedError, FetchPolicy, fetch

from tests.support.http_server import LocalHTTPServer, NetworkGuard, Reply


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for feeds.example: (ca, cert, key) files."""
    folder = tmp_path_factory.mktemp("pki")
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("market-news test CA"))
        .issuer_name(_name("market-news test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("feeds.example"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("feeds.example")]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


@pytest.fixture
def tls_server(
    pki: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[LocalHTTPServer]:
    ca_file, cert_file, key_file = pki
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # trusted through the default store
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    with LocalHTTPServer(tls=context) as server:
        server.route("/feed", Reply(body=b"<rss/>", headers={"Content-Type": "text/xml"}))
        yield server


def test_https_keeps_the_name_for_sni_and_certificate(
    tls_server: LocalHTTPServer, policy: FetchPolicy, net: NetworkGuard
) -> None:
    net.hosts["feeds.example"] = ["127.0.0.1"]
    result = fetch(tls_server.url("/feed", host="feeds.example"), policy)
    assert result.body == b"<rss/>"
    assert net.connects == ["127.0.0.1"]
    assert tls_server.requests[0].sni == "feeds.example"
    assert tls_server.requests[0].headers["host"] == f"feeds.example:{tls_server.port}"


def test_https_certificate_for_another_name_is_refused(
    tls_server: LocalHTTPServer, policy: FetchPolicy, net: NetworkGuard
) -> None:
    net.hosts["other.example"] = ["127.0.0.1"]
    with pytest.raises(ConnectionFailedError, match="TLS"):
        fetch(tls_server.url("/feed", host="other.example"), policy)
    assert tls_server.requests == []
