"""The library facade: build or load an index, then match briefs against it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from .aspects import split_aspects
from .corpus import Corpus, load_corpus
from .encoders import Encoder, SentenceTransformerEncoder, query_encoder, resolve_precision
from .errors import IndexMismatchError, QueryError
from .filters import Filters
from .index.dense import DenseIndex
from .index.lexical import LexicalIndex
from .index.store import (
    IndexData,
    corpus_record,
    new_manifest,
    read_index,
    rebuild_hint,
    write_index,
)
from .models import ModelSpec, resolve_model, weights_sha256
from .passages import entity_passages
from .priors import PriorTable
from .ranking import Ranker, RankingConfig
from .reading import Reading, read_brief
from .regions import RegionAnswer, RegionTable
from .rerank import Intent
from .resources import cache_dir
from .results import Ranking
from .text import split_to_fit
from .verdict import decide

MAX_BRIEF_CHARS = 20_000


class Matcher:
    """Ranks the clusters and organisations of an index against free-text briefs.

    >>> m = Matcher.build(["corpus/"])          # or Matcher.load("path/to/index")
    >>> for match in m.match("GMP viral vector manufacturing", k=5):
    ...     print(match.name, match.score, match.evidence[0].text)
    """

    def __init__(
        self,
        data: IndexData,
        spec: ModelSpec,
        encoder: Encoder | None = None,
        config: RankingConfig | None = None,
        precision: str = "fp32",
    ):
        self.data = data
        self.spec = spec
        self._encoder = encoder
        # fp32: the ONNX query encoder, quick to start (one brief at a time); bf16 or auto:
        # faster for large batches on CPUs with native bf16 (see encoders.native_bf16).
        self.precision = resolve_precision(precision)
        # Ranking constants apply at query time: the manifest records the ones in force at
        # build time for reference, but an index keeps working as the defaults improve.
        self.config = config or RankingConfig()
        self.ranker = Ranker(data, self.config)
        self.by_id = {e.id: e for e in data.entities}
        self._priors: PriorTable | None = None
        self._region_table: RegionTable | None = None

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        corpus: Corpus | Iterable[str | Path],
        model: str | None = None,
        dense_index: str = "auto",
        encoder: SentenceTransformerEncoder | None = None,
        config: RankingConfig | None = None,
        progress: Callable[[str], None] | None = None,
        export_onnx: bool = True,
        profile_passages: bool = True,
    ) -> Matcher:
        """Embed every passage of a corpus and build the dense and lexical indexes."""
        say = progress or (lambda _msg: None)
        if not isinstance(corpus, Corpus):
            corpus_paths = list(corpus)
            corpus = load_corpus(corpus_paths)
        else:
            corpus_paths = list(corpus.files)
        # A given encoder decides the model unless a model is named too.
        spec = resolve_model(model or (encoder.model_id if encoder is not None else None))
        weights = weights_sha256(spec.path)

        def reference() -> SentenceTransformerEncoder:
            # Loaded only if something must be encoded: importing it costs 5-6 s, and the
            # shipped embeddings usually leave nothing to encode on a first build.
            nonlocal encoder
            if encoder is None:
                say(f"loading encoder {spec.id}")
                encoder = SentenceTransformerEncoder(spec)
            return encoder

        passages = [
            p for entity in corpus.entities for p in entity_passages(entity, profile_passages)
        ]
        started = time.perf_counter()
        from .embed_cache import EmbeddingCache, shipped_embeddings

        shipped = shipped_embeddings(weights)
        cache = EmbeddingCache(cache_dir() / "embeddings" / f"{weights[:16]}.sqlite",
                               shipped=shipped)
        try:
            vectors, encoded = cache.embed([p.text for p in passages],
                                           lambda texts: reference().encode(texts))
        finally:
            cache.close()
        say(f"embedded {len(passages)} passages ({encoded} new) in "
            f"{time.perf_counter() - started:.1f}s")
        dense = DenseIndex.build(vectors, kind=dense_index)
        lexical = LexicalIndex.build([p.text for p in passages])
        config = config or RankingConfig()
        manifest = new_manifest(
            model={
                "id": spec.id,
                "weights_sha256": weights,
                "dimension": int(vectors.shape[1]),
                "max_tokens": spec.max_tokens,
            },
            dense={"kind": dense.kind, "metric": "inner_product"},
            lexical={"engine": "bm25s", "stopwords": "en", "stemmer": "english"},
            passage_count=len(passages),
            entity_count=len(corpus.entities),
            corpus_sha256=corpus.fingerprint,
            corpus=corpus_record(corpus_paths),  # names the corpus in rebuild hints
            ranking=config.to_dict(),
        )
        data = IndexData(manifest, list(corpus.entities), passages, dense, lexical)
        if export_onnx:
            from .onnx_export import export_onnx as export

            say("exporting the encoder to ONNX for fast queries")
            from .encoders import PROBES

            folder = export(spec, weights, reference,
                            expected=shipped.lookup(PROBES) if shipped else None)
            say(f"ONNX query encoder: {folder}" if folder else
                "ONNX export not available for this model; queries will use sentence-transformers")
        return cls(data, spec, encoder=encoder, config=config)

    @classmethod
    def load(cls, folder: str | Path, model: str | None = None,
             precision: str = "fp32") -> Matcher:
        """Open a saved index; refuses one built with another model than ``model``.
        ``precision`` chooses the query encoder (fp32, bf16 or auto; see encoders.py)."""
        data = read_index(Path(folder))
        built_with = data.manifest["model"]["id"]
        if model is not None and model != built_with:
            requested = resolve_model(model).id
            if requested != built_with:
                raise IndexMismatchError(
                    f"the index at {folder} was built with model '{built_with}', not "
                    f"'{model}'; {rebuild_hint(Path(folder), data.manifest, model)} or drop --model"
                )
        spec = resolve_model(built_with)
        return cls(data, spec, precision=precision)

    def save(self, folder: str | Path) -> None:
        write_index(Path(folder), self.data)

    # ------------------------------------------------------------------ matching

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            rebuild = (rebuild_hint(self.data.folder, self.manifest) if self.data.folder
                       else "rebuild the index")
            self._encoder = query_encoder(self.spec, self.data.manifest["model"]["weights_sha256"],
                                          self.precision, rebuild)
        return self._encoder

    @property
    def manifest(self) -> dict:
        return self.data.manifest

    def _entity_mask(self, filters: Filters | None) -> tuple[np.ndarray | None, str]:
        """The entities a brief may match (all filters but kind), and the kind to list."""
        if filters is None or not filters.active:
            return None, "all"
        resolved = filters.resolved(self.data.entities)
        unknown = [i for i in resolved.exclude if i not in self.by_id]
        if unknown:
            raise QueryError(f"--exclude: no entity with id {', '.join(unknown)}")
        # Kind is applied when listing, not when scoring: roll-up needs the members' scores
        # even when only clusters are listed.
        scoring = replace(resolved, kind="all")
        if not scoring.active:
            return None, resolved.kind
        return np.array([scoring.allows(e) for e in self.data.entities], dtype=bool), resolved.kind

    def check_filters(self, filters: Filters | None) -> None:
        """Raise QueryError for filters that name unknown entities (no encoding needed)."""
        self._entity_mask(filters)

    def _read(self, text: str) -> tuple[str, list[str], list[str], list[str]]:
        """The brief normalised, its windows, its aspects, and any warnings."""
        if not isinstance(text, str) or not text.strip():
            raise QueryError("the brief is empty: give the text of the need to match")
        if "\x00" in text:  # the same rule as a batch row: binary, or UTF-16 read as bytes
            raise QueryError("the brief contains NUL bytes (a binary or UTF-16 file?): give "
                             "plain text, saved as UTF-8")
        if len(text) > MAX_BRIEF_CHARS:
            raise QueryError(
                f"the brief is {len(text):,} characters; the limit is {MAX_BRIEF_CHARS:,}: "
                "shorten it or split it into several briefs (matcher batch takes a list)"
            )
        windows = split_to_fit(" ".join(text.split()), self.encoder.count_tokens,
                               self.encoder.max_tokens)
        warnings = []
        if len(windows) > 1:
            warnings.append(
                f"the brief is {self.encoder.count_tokens(text)} word pieces, more than the "
                f"model reads at once ({self.encoder.max_tokens}); it was matched in "
                f"{len(windows)} parts and no text was dropped"
            )
        aspects: list[str] = []
        if self.config.aspects:
            for aspect in split_aspects(text):
                aspects.extend(split_to_fit(aspect, self.encoder.count_tokens,
                                            self.encoder.max_tokens))
        return " ".join(text.split()), windows, aspects, warnings

    def match(self, text: str, k: int = 10, filters: Filters | None = None,
              infer: bool = True, ignore: Sequence[str] = ()) -> Ranking:
        """The top ``k`` entities for a brief, best first, each with its evidence."""
        return self.match_many([text], k=k, filters=filters, infer=infer, ignore=ignore)[0]

    def _fewer_note(self, found: int, k: int, mask: np.ndarray | None, kind: str) -> str:
        """Why a ranking holds fewer than k matches: the filters, or the candidate cut."""
        allowed = np.ones(len(self.data.entities), dtype=bool) if mask is None else mask
        if kind != "all":
            allowed = allowed & (self.ranker.is_cluster if kind == "cluster"
                                 else ~self.ranker.is_cluster)
        if found >= int(allowed.sum()):
            where = "the index holds" if mask is None and kind == "all" else "the filters pass"
            return f"{found} of the {k} matches asked: {where} only {found} entities"
        return (f"{found} of the {k} matches asked: the rest have no passage among the "
                f"{self.config.candidates} closest by meaning or by words, so they share "
                "nothing with the brief")

    def _regions(self, whole, own_aspects, aspects, prior, mask) -> list[RegionAnswer]:
        if self._region_table is None:
            self._region_table = RegionTable(self.data.entities, self.priors.covers.all(axis=1))
        needs = self.ranker.need_scores(whole, own_aspects, prior)
        scores = self.ranker.entity_scores(whole, own_aspects, prior)
        eligible = np.any([t.has_candidate for t in (*whole, *own_aspects)], axis=0)
        if mask is not None:
            eligible &= mask
        return self._region_table.answer(needs, aspects or [""], scores, eligible)

    @property
    def priors(self) -> PriorTable:
        if self._priors is None:
            self._priors = PriorTable(self.data.entities)
        return self._priors

    def _prior(self, reading: Reading, filters: Filters | None) -> np.ndarray | None:
        """The soft priors of a reading; an explicit filter overrides what was read."""
        cfg = self.config
        use_place, use_partner = _reading_applies(filters)
        if not reading.inferred or not (reading.places or reading.partner_types):
            return None
        return self.priors.factors(reading, cfg.place_weight, cfg.partner_weight,
                                   cfg.exclude_weight, use_place, use_partner,
                                   cfg.convening_weight)

    def _intent(self, reading: Reading, filters: Filters | None) -> Intent | None:
        """What the brief asks for, as re-ranking features; an explicit filter overrides what
        was read, as it does for the priors."""
        if not reading.inferred:
            return None
        use_place, use_partner = _reading_applies(filters)
        return self.priors.intent(reading if use_place and use_partner else Reading(
            places=reading.places if use_place else (),
            partner_types=reading.partner_types if use_partner else ()))

    def match_many(
        self, texts: Sequence[str], k: int = 10, filters: Filters | None = None,
        explain: bool = True, infer: bool = True, regions: bool = True,
        ignore: Sequence[str] = (),
    ) -> list[Ranking]:
        """Rank several briefs; all their texts are encoded and searched together.
        ``explain=False`` skips the shared-term explanations (batch scoring shows none);
        ``infer=False`` does not read places and partner types from the briefs;
        ``regions=False`` skips the region answer; ``ignore`` sets aside places and partner
        types that were read (by their text, "Wales", or partner key, "nhs")."""
        if k < 1:
            raise QueryError(f"k must be at least 1 (got {k})")
        mask, kind = self._entity_mask(filters)
        read = [self._read(t) for t in texts]
        readings = [read_brief(t).without(ignore) if infer else Reading(inferred=False)
                    for t in texts]
        flat = [piece for _, windows, aspects, _ in read for piece in (*windows, *aspects)]
        scored = self.ranker.score_texts(self.encoder.encode(flat), flat, mask)
        rankings, offset = [], 0
        for (text, windows, aspects, warnings), reading in zip(read, readings, strict=True):
            whole = scored[offset : offset + len(windows)]
            offset += len(windows)
            own_aspects = scored[offset : offset + len(aspects)]
            offset += len(aspects)
            prior = self._prior(reading, filters)
            intent = self._intent(reading, filters) if infer else None
            matches = self.ranker.rank(whole, windows, own_aspects, aspects, k, mask, kind,
                                       explain=explain, prior=prior, intent=intent)
            answer = self._regions(whole, own_aspects, aspects, prior, mask) if regions else []
            if not matches and (mask is not None or kind != "all"):
                warnings = [*warnings, "no entity passes these filters"]
            elif len(matches) < k:
                warnings = [*warnings, self._fewer_note(len(matches), k, mask, kind)]
            if ignore and infer:
                warnings = [*warnings, f"set aside from the reading: {', '.join(ignore)}"]
            best = max((self.ranker.strength(m.similarity) for m in matches), default=0.0)
            verdict = decide(text, best, reading if infer else None,
                             self.data.lexical.known_share(text), self.config.abstain_below,
                             self.config.min_known_share)
            rankings.append(Ranking(text, matches, windows, aspects, warnings,
                                    no_good_match=verdict.no_good_match,
                                    verdict_reasons=list(verdict.reasons),
                                    reading=reading, regions=answer))
        return rankings


def _reading_applies(filters: Filters | None) -> tuple[bool, bool]:
    """Whether the place and the partner type read from a brief apply: an explicit region
    filter overrides the place read, a kind or org-type filter the partner type."""
    use_place = not (filters and filters.regions)
    use_partner = not (filters and (filters.kind != "all" or filters.org_types))
    return use_place, use_partner
