"""Batch scoring of enquiry lists: streaming, resumable, lossless; locally or on Ray."""
