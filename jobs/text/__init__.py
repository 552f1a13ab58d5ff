"""Pure-Python text logic of the silver layer (no Spark needed): normalisation, PII masking,
language identification and author pseudonyms. Spark applies it in Arrow batches."""
