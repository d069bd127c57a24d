"""The on-disk index: dense (faiss), lexical (BM25) and the manifest that ties them together."""
