"""Keys for the evidence store: one master key from the environment, one key per object.

Each object is sealed with AES-256-GCM under its own random data key; the data key is kept
only wrapped (AES key wrap, RFC 3394) by a key derived from the master key. Destroying an
object therefore also destroys its wrapped key, which makes any stray copy of the
ciphertext (a backup, a disk image) unreadable. Object names are an HMAC of the content's
SHA-256 under another derived key, so a name reveals nothing a hash list could match.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from vaktpost.errors import UserError

NONCE_BYTES = 12
MAGIC = b"VPE1"  # format marker at the start of every object file


def parse_master_key(text: str | None) -> bytes:
    if not text:
        raise UserError("set VAKTPOST_EVIDENCE_KEY (32 bytes as 64 hex characters or base64)")
    text = text.strip()
    try:
        key = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        key = b""
    if len(key) != 32:
        raise UserError("VAKTPOST_EVIDENCE_KEY must be 32 bytes (64 hex characters or base64)")
    return key


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"vaktpost evidence " + purpose).derive(master)


class EvidenceKeys:
    def __init__(self, master: bytes):
        self._wrap = _derive(master, b"key wrap")
        self._names = _derive(master, b"object names")

    def object_name(self, sha256_hex: str) -> str:
        return hmac.new(self._names, sha256_hex.lower().encode(), hashlib.sha256).hexdigest()

    def seal(self, name: str, plaintext: bytes) -> tuple[bytes, bytes]:
        """Returns (object file bytes, wrapped data key)."""
        data_key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(data_key).encrypt(nonce, plaintext, name.encode())
        return MAGIC + nonce + sealed, aes_key_wrap(self._wrap, data_key)

    def open(self, name: str, blob: bytes, wrapped_key: bytes) -> bytes:
        if not blob.startswith(MAGIC):
            raise UserError("not an evidence object", where=name)
        try:
            data_key = aes_key_unwrap(self._wrap, wrapped_key)
            nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
            return AESGCM(data_key).decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES :], name.encode())
        except InvalidUnwrap:
            raise UserError("cannot unwrap the object's key: another master key?", where=name) from None
        except InvalidTag:
            raise UserError("evidence object fails its integrity check: altered on disk", where=name) from None
