"""HTTP client for the Callaro API. No Qt may be imported anywhere in this package."""
