"""Knowledge bases: documents a group owns, searched for Korean and Japanese
questions, and cited in answers.

- ``store``: the ``KnowledgeStore`` protocol and its SQLite implementation;
- ``analysis``, ``index``, ``embedders``: morphemes, BM25 + vectors + fusion;
- ``passages``: a document cut into citable passages;
- ``service``: ``KnowledgeBases`` — ingest with grades, search with access and
  grade filters inside the ranking;
- ``cite``: retrieved passages into a chat request as a source message.
"""
