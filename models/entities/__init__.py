"""Institutions and places: gazetteer-based extraction for Romanian posts."""

from models.entities.extract import Extractor, default_extractor, extract

__all__ = ["Extractor", "default_extractor", "extract"]
