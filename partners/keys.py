"""The RSA key that signs ID tokens (OIDC). Production takes it from the environment
(`YV_OIDC_RSA_PRIVATE_KEY`, PEM, or `YV_OIDC_RSA_PRIVATE_KEY_FILE`) and refuses to start without it
(settings/production.py). Development and tests generate one key on first use into the project's
`var/` directory (git-ignored), so that tokens stay valid across restarts; no key is ever committed.
Pure module: imported by the settings, so no Django imports."""

import os
from pathlib import Path


def _generate_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def private_key_pem(var_dir: Path, *, allow_generate: bool) -> str:
    pem = os.environ.get("YV_OIDC_RSA_PRIVATE_KEY", "").strip()
    if pem:
        return pem.replace("\\n", "\n") + "\n"
    path = os.environ.get("YV_OIDC_RSA_PRIVATE_KEY_FILE", "")
    if path:
        return Path(path).read_text()
    if not allow_generate:
        return ""
    dev_key = Path(var_dir) / "oidc-dev.key"
    if not dev_key.exists():
        dev_key.parent.mkdir(parents=True, exist_ok=True)
        tmp = dev_key.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(_generate_pem())
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, dev_key)  # first writer wins (parallel test workers)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return dev_key.read_text()
