"""A test CA with a server certificate and a client identity as PEM and PKCS#12 files."""

from __future__ import annotations

from pathlib import Path

__all__ = ["make_identities"]


def make_identities(folder: Path, p12_passphrase: str) -> dict[str, str]:
    """Paths of ``ca``, ``server``/``server_key`` (127.0.0.1), ``client``/``client_key``
    (PEM), ``p12`` (protected by ``p12_passphrase``) and ``p12_open`` (no passphrase)."""
    import trustme
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    ca = trustme.CA()
    files = {name: str(folder / f"{name}.pem") for name in
             ("ca", "server", "server_key", "client", "client_key")}
    ca.cert_pem.write_to_path(files["ca"])
    server = ca.issue_cert("127.0.0.1")
    server.cert_chain_pems[0].write_to_path(files["server"])
    server.private_key_pem.write_to_path(files["server_key"])
    client = ca.issue_cert("relaydesk-user@example.test")
    client.cert_chain_pems[0].write_to_path(files["client"])
    client.private_key_pem.write_to_path(files["client_key"])
    key = serialization.load_pem_private_key(client.private_key_pem.bytes(), None)
    cert = x509.load_pem_x509_certificate(client.cert_chain_pems[0].bytes())
    for name, password in (("p12", p12_passphrase.encode()), ("p12_open", None)):
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password) if password
            else serialization.NoEncryption())
        bundle = pkcs12.serialize_key_and_certificates(
            b"relaydesk-user", key, cert, None, encryption)  # type: ignore[arg-type]
        files[name] = str(folder / f"{name}.p12")
        Path(files[name]).write_bytes(bundle)
    return files
