"""Interop formats: NPR message XML, FHIR R4, Parquet; convert and export."""
