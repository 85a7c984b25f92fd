"""A stand-in API over TLS on 127.0.0.1, with a certificate a proxy can be told to trust.

A proxy that checks the API's certificate (nginx's `proxy_ssl_verify on`) is tested against
a server whose certificate chain is like a public API's: a server certificate for the API's
name, issued by an intermediate, issued by another (as in a cross-signed chain), issued by a
root that only the proxy under test trusts.
"""

import datetime
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from implicitflow_testing.serving import ServerThread


@dataclass(frozen=True)
class LocalCertificates:
    """PEM files: `root` to trust, `chain` (server certificate then intermediates) and `key`
    for the server."""

    root: Path
    chain: Path
    key: Path


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, subject_key, issuer, issuer_key, ca, names=()):
    now = datetime.datetime.now(datetime.UTC)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(subject_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + datetime.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False), critical=True)
    else:
        alternatives = []
        for name in names:
            try:
                alternatives.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alternatives.append(x509.DNSName(name))
        builder = (builder.add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                                  critical=False))
    return builder.sign(issuer_key, hashes.SHA256())


def local_certificates(folder, names, label="implicitflow test"):
    """Writes a root, two intermediates and a server certificate for `names` (host names and
    IP addresses) into `folder`; each call makes a new root, trusted by nothing else."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    root_key, upper_key, lower_key, server_key = (ec.generate_private_key(ec.SECP256R1())
                                                  for _ in range(4))
    root = _certificate(f"{label} root", root_key, f"{label} root", root_key, ca=True)
    upper = _certificate(f"{label} intermediate 1", upper_key, f"{label} root", root_key, ca=True)
    lower = _certificate(f"{label} intermediate 2", lower_key, f"{label} intermediate 1",
                         upper_key, ca=True)
    server = _certificate(names[0], server_key, f"{label} intermediate 2", lower_key, ca=False,
                          names=names)
    pem = serialization.Encoding.PEM
    files = LocalCertificates(folder / "root.pem", folder / "chain.pem", folder / "key.pem")
    files.root.write_bytes(root.public_bytes(pem))
    files.chain.write_bytes(b"".join(certificate.public_bytes(pem)
                                     for certificate in (server, lower, upper)))
    files.key.write_bytes(server_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
    return files


class TlsServerThread(ServerThread):
    """A `ServerThread` that speaks HTTPS with `certificates`' chain and key. With
    `server_name`, it ends every handshake that does not name it (SNI), as a server holding
    certificates for several names may."""

    def __init__(self, app, certificates, server_name=None, **options):
        super().__init__(app, **options)
        config = self._server.config
        config.ssl_certfile, config.ssl_keyfile = str(certificates.chain), str(certificates.key)
        if server_name is not None:
            config.load()  # makes config.ssl, the context the server will use

            def require_name(connection, name, context):
                if name != server_name:
                    return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
                return None

            config.ssl.sni_callback = require_name

    @property
    def url(self):
        return f"https://{self.host}:{self.port}"
